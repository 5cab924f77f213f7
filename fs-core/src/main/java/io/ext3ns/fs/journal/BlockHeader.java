package io.ext3ns.fs.journal;

/**
 * The 12-byte header every JBD2 log block (descriptor, commit, revoke, superblock) starts with: magic, block type
 * and the transaction id it belongs to. A data block that happens to start with the magic is escaped on write.
 */
public record BlockHeader(int type, long sequence) {
    public static final long MAGIC = 0xC03B3998L;
    public static final int SIZE = 12;
    public static final int DESCRIPTOR = 1;
    public static final int COMMIT = 2;
    public static final int SUPERBLOCK_V1 = 3;
    public static final int SUPERBLOCK_V2 = 4;
    public static final int REVOKE = 5;

    /** True when {@code block} starts with the JBD2 magic (a log block, or a data block that must be escaped). */
    public static boolean hasMagic(byte[] block) {
        return block.length >= 4 && BigEndian.u32(block, 0) == MAGIC;
    }

    /** The header of a log block, or null when the block does not start with the magic (end of the log). */
    public static BlockHeader read(byte[] block) {
        if (!hasMagic(block) || block.length < SIZE) {
            return null;
        }
        return new BlockHeader((int) BigEndian.u32(block, 4), BigEndian.u32(block, 8));
    }

    public void writeInto(byte[] block) {
        BigEndian.put32(block, 0, MAGIC);
        BigEndian.put32(block, 4, type);
        BigEndian.put32(block, 8, sequence);
    }

    public static String typeName(int type) {
        return switch (type) {
            case DESCRIPTOR -> "descriptor";
            case COMMIT -> "commit";
            case SUPERBLOCK_V1 -> "superblock v1";
            case SUPERBLOCK_V2 -> "superblock v2";
            case REVOKE -> "revoke";
            default -> "unknown type " + type;
        };
    }
}
