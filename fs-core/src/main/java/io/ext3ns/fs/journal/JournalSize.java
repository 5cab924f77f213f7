package io.ext3ns.fs.journal;

/**
 * How big a journal mkfs makes. JBD2 logs whole blocks and needs at least 1024 of them, so at 1 MiB blocks the
 * smallest journal is 1 GiB. The rule: up to 64 KiB blocks, mke2fs's own table (ext2fs_default_journal_size: 1024
 * blocks from 2048-block volumes up, growing to 262144); above 64 KiB, the 1024-block minimum once the volume has at
 * least 32768 blocks (the journal then costs at most about 3 %), and no journal (ext2 style) on smaller volumes.
 */
public final class JournalSize {
    /** Above this block size the byte cost of the mke2fs table is too high: see the class comment. */
    public static final int MKE2FS_TABLE_MAX_BLOCK_SIZE = 65536;
    /** Large-block volumes below this many blocks get no journal by default. */
    public static final long LARGE_BLOCK_MIN_VOLUME_BLOCKS = 32768;
    /** mke2fs refuses journals above this many blocks. */
    public static final long MAX_BLOCKS = 10_240_000;

    private JournalSize() {
    }

    /** The default journal length in blocks for a volume, or 0 for none. */
    public static long defaultBlocks(int blockSize, long volumeBlocks) {
        if (blockSize > MKE2FS_TABLE_MAX_BLOCK_SIZE) {
            return volumeBlocks >= LARGE_BLOCK_MIN_VOLUME_BLOCKS ? JournalSuperblock.MIN_BLOCKS : 0;
        }
        if (volumeBlocks < 2048) {
            return 0;
        }
        long[][] table = {{32768, 1024}, {256 * 1024, 4096}, {512 * 1024, 8192}, {4096 * 1024, 16384},
            {8192 * 1024, 32768}, {16384 * 1024, 65536}, {32768 * 1024, 131072}};
        for (long[] row : table) {
            if (volumeBlocks < row[0]) {
                return row[1];
            }
        }
        return 262144;
    }

    /**
     * The journal length a spec's {@code journalBlocks} means on a volume: -1 (FormatSpec.JOURNAL_DEFAULT) asks for
     * {@link #defaultBlocks}, anything else is taken as given (0 = none).
     */
    public static long resolve(long journalBlocks, int blockSize, long volumeBlocks) {
        return journalBlocks < 0 ? defaultBlocks(blockSize, volumeBlocks) : journalBlocks;
    }

    /** Blocks for a journal of {@code mebibytes} MiB (mke2fs -J size=N), at least one block. */
    public static long blocksForMebibytes(long mebibytes, int blockSize) {
        if (mebibytes <= 0) {
            throw new IllegalArgumentException("journal size must be positive: " + mebibytes + " MiB");
        }
        return Math.max(1, (mebibytes << 20) / blockSize);
    }

    /** Why {@code blocks} cannot be the journal of a volume of {@code volumeBlocks}, or null when it can. */
    public static String problem(long blocks, int blockSize, long volumeBlocks) {
        if (blocks < JournalSuperblock.MIN_BLOCKS || blocks > MAX_BLOCKS) {
            return "a journal needs " + JournalSuperblock.MIN_BLOCKS + " to " + MAX_BLOCKS + " blocks; "
                    + blocks + " blocks of " + blockSize + " bytes asked (at " + blockSize
                    + "-byte blocks the smallest journal is " + (JournalSuperblock.MIN_BLOCKS * (long) blockSize >> 20)
                    + " MiB)";
        }
        if (blocks > volumeBlocks / 2) {
            return "a journal of " + blocks + " blocks is more than half of the volume's " + volumeBlocks
                    + " blocks; format without a journal or use a larger volume";
        }
        return null;
    }
}
