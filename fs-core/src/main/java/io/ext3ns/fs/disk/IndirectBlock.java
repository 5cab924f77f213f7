package io.ext3ns.fs.disk;

/** An indirect block of the ext2 block map: blockSize/4 little-endian u32 block numbers, 0 = hole. */
public final class IndirectBlock {
    private IndirectBlock() {
    }

    public static long get(byte[] block, int index) {
        return LittleEndian.u32(block, index * 4);
    }

    public static void set(byte[] block, int index, long blockNr) {
        LittleEndian.checkU32("indirect pointer", blockNr);
        LittleEndian.put32(block, index * 4, blockNr);
    }

    /** True when every pointer is 0. */
    public static boolean isEmpty(byte[] block) {
        for (byte x : block) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
