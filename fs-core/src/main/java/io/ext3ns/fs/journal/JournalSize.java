package io.ext3ns.fs.journal;

/**
 * How big a journal mkfs makes. Up to 64 KiB blocks, mke2fs's own table (ext2fs_default_journal_size: 1024 blocks
 * from 2048-block volumes up, growing to 262144), never below JBD2's 1024-block minimum, so e2fsck and the kernel
 * accept it. Above 64 KiB no kernel mounts the volume and our journal is its only reader, so the minimum is
 * {@link #LARGE_BLOCK_MIN_BLOCKS} and the default 64 to 256 blocks by volume size (docs/journal.md explains why).
 */
public final class JournalSize {
    /** Above this block size the byte cost of the mke2fs table is too high: see the class comment. */
    public static final int MKE2FS_TABLE_MAX_BLOCK_SIZE = 65536;
    /** The smallest journal above 64 KiB blocks: 64 MiB at 1 MiB blocks. */
    public static final int LARGE_BLOCK_MIN_BLOCKS = 64;
    /** The largest default journal above 64 KiB blocks: 256 MiB at 1 MiB blocks. */
    public static final int LARGE_BLOCK_MAX_DEFAULT_BLOCKS = 256;
    /** Large-block volumes below this many blocks get no journal by default (as mke2fs below 2048 blocks). */
    public static final long LARGE_BLOCK_MIN_VOLUME_BLOCKS = 2048;
    /** mke2fs refuses journals above this many blocks. */
    public static final long MAX_BLOCKS = 10_240_000;

    private JournalSize() {
    }

    /** The default journal length in blocks for a volume, or 0 for none. */
    public static long defaultBlocks(int blockSize, long volumeBlocks) {
        if (blockSize > MKE2FS_TABLE_MAX_BLOCK_SIZE) {
            if (volumeBlocks < LARGE_BLOCK_MIN_VOLUME_BLOCKS) {
                return 0;
            }
            // 1/32 of the volume rounded down to a power of two, within [64, 256]: at most ~3 % of the volume
            long blocks = Long.highestOneBit(volumeBlocks / 32);
            return Math.max(LARGE_BLOCK_MIN_BLOCKS, Math.min(LARGE_BLOCK_MAX_DEFAULT_BLOCKS, blocks));
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

    /**
     * The shortest journal accepted at this block size: JBD2's 1024 blocks where e2fsck and the kernel may read it
     * (up to 64 KiB), {@link #LARGE_BLOCK_MIN_BLOCKS} above, where only we do.
     */
    public static long minBlocks(int blockSize) {
        return blockSize > MKE2FS_TABLE_MAX_BLOCK_SIZE ? LARGE_BLOCK_MIN_BLOCKS : JournalSuperblock.MIN_BLOCKS;
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
        long min = minBlocks(blockSize);
        if (blocks < min || blocks > MAX_BLOCKS) {
            return "a journal needs " + min + " to " + MAX_BLOCKS + " blocks; "
                    + blocks + " blocks of " + blockSize + " bytes asked (at " + blockSize
                    + "-byte blocks the smallest journal is " + (min * blockSize >> 20) + " MiB)";
        }
        if (blocks > volumeBlocks / 2) {
            return "a journal of " + blocks + " blocks is more than half of the volume's " + volumeBlocks
                    + " blocks; format without a journal or use a larger volume";
        }
        return null;
    }
}
