package io.ext3ns.fs.check;

/**
 * Which blocks the checker found in use (metadata and blocks reached from inodes), and which were claimed twice.
 * A flat bit set over the whole volume (one bit per block, as e2fsck's block_found_map); the duplicate set is only
 * allocated once a first duplicate appears.
 */
final class UsedBlocks {
    private final long[] used;
    private long[] duplicate;
    private long duplicateCount;

    UsedBlocks(long blocksCount) {
        used = new long[(int) ((blocksCount + 63) >>> 6)];
    }

    /** Marks {@code block} used; returns false (and records a duplicate) when it already was. */
    boolean claim(long block) {
        int w = (int) (block >>> 6);
        long bit = 1L << (block & 63);
        if ((used[w] & bit) == 0) {
            used[w] |= bit;
            return true;
        }
        if (duplicate == null) {
            duplicate = new long[used.length];
        }
        if ((duplicate[w] & bit) == 0) {
            duplicate[w] |= bit;
            duplicateCount++;
        }
        return false;
    }

    boolean isUsed(long block) {
        return (used[(int) (block >>> 6)] & 1L << (block & 63)) != 0;
    }

    boolean isDuplicate(long block) {
        return duplicate != null && (duplicate[(int) (block >>> 6)] & 1L << (block & 63)) != 0;
    }

    long duplicateCount() {
        return duplicateCount;
    }
}
