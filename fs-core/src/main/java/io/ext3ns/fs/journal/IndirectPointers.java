package io.ext3ns.fs.journal;

/** The little-endian 32-bit block pointers of an ext2/3 indirect block. */
final class IndirectPointers {
    private IndirectPointers() {
    }

    static long get(byte[] block, int index) {
        int off = index * 4;
        return (block[off] & 0xFFL) | (block[off + 1] & 0xFFL) << 8 | (block[off + 2] & 0xFFL) << 16
                | (block[off + 3] & 0xFFL) << 24;
    }

    static void put(byte[] block, int index, long v) {
        int off = index * 4;
        block[off] = (byte) v;
        block[off + 1] = (byte) (v >>> 8);
        block[off + 2] = (byte) (v >>> 16);
        block[off + 3] = (byte) (v >>> 24);
    }
}
