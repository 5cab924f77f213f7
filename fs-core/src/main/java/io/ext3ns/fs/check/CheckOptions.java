package io.ext3ns.fs.check;

/**
 * How to check: {@code fix} repairs what is safely fixable (fsck -y; otherwise nothing is written, as -n);
 * {@code force} checks even a volume marked clean (-f); {@code superblock} (e2fsck's -b, 0 = the primary, with an
 * automatic fallback to a backup when the primary copies are damaged) names the block of the superblock copy to use,
 * in units of {@code blockSize} (-B; 0 = try every block size from 1 KiB to 2 MiB).
 */
public record CheckOptions(boolean fix, boolean force, long superblock, int blockSize) {
    public static final CheckOptions READ_ONLY_FORCED = new CheckOptions(false, true);
    public static final CheckOptions FIX_FORCED = new CheckOptions(true, true);

    public CheckOptions {
        if (superblock < 0 || blockSize < 0 || (blockSize != 0 && Integer.bitCount(blockSize) != 1)) {
            throw new IllegalArgumentException("superblock " + superblock + " / block size " + blockSize);
        }
    }

    public CheckOptions(boolean fix, boolean force) {
        this(fix, force, 0, 0);
    }

    /** These options with the superblock copy at {@code block} (of {@code blockSize} bytes, 0: any size). */
    public CheckOptions withSuperblock(long block, int blockSize) {
        return new CheckOptions(fix, force, block, blockSize);
    }
}
