package io.ext3ns.fs.disk;

/**
 * The shape of ext2's indirect block map for one block size: i_block[0..11] direct, [12] single, [13] double,
 * [14] triple indirect, each indirect block holding blockSize/4 pointers. Also the file size limit, which without
 * huge_file is set by the 32-bit i_blocks (512-byte units, indirect blocks included), not by the tree.
 */
public final class BlockMapShape {
    /** Largest i_blocks value: 2^32 - 1 sectors. */
    public static final long MAX_I_BLOCKS = 0xFFFF_FFFFL;

    private final int blockSize;
    private final long perBlock;
    private final long maxFileBlocks;

    public BlockMapShape(int blockSize) {
        this.blockSize = blockSize;
        this.perBlock = blockSize / 4;
        this.maxFileBlocks = computeMaxFileBlocks();
    }

    public long pointersPerBlock() {
        return perBlock;
    }

    /** Blocks addressable by the tree: 12 + p + p² + p³. */
    public long treeCapacity() {
        return Inode.NDIR_BLOCKS + perBlock + perBlock * perBlock + perBlock * perBlock * perBlock;
    }

    /**
     * The route to file block {@code n}: [slot] for a direct block, [12, i], [13, i, j] or [14, i, j, k] through
     * the indirect levels. Throws for blocks beyond the tree.
     */
    public int[] path(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative file block " + n);
        }
        if (n < Inode.NDIR_BLOCKS) {
            return new int[] {(int) n};
        }
        long r = n - Inode.NDIR_BLOCKS;
        if (r < perBlock) {
            return new int[] {Inode.IND_BLOCK, (int) r};
        }
        r -= perBlock;
        if (r < perBlock * perBlock) {
            return new int[] {Inode.DIND_BLOCK, (int) (r / perBlock), (int) (r % perBlock)};
        }
        r -= perBlock * perBlock;
        if (r < perBlock * perBlock * perBlock) {
            return new int[] {Inode.TIND_BLOCK, (int) (r / (perBlock * perBlock)), (int) (r / perBlock % perBlock),
                (int) (r % perBlock)};
        }
        throw new IllegalArgumentException("file block " + n + " beyond the indirect tree");
    }

    /** Indirect blocks a fully mapped file of {@code n} data blocks needs. */
    public long indirectBlocksFor(long n) {
        long ind = 0;
        long r = n - Inode.NDIR_BLOCKS;
        if (r <= 0) {
            return 0;
        }
        ind += 1; // single
        r -= perBlock;
        if (r <= 0) {
            return ind;
        }
        long dind = Math.min(r, perBlock * perBlock);
        ind += 1 + ceilDiv(dind, perBlock);
        r -= dind;
        if (r <= 0) {
            return ind;
        }
        ind += 1 + ceilDiv(r, perBlock * perBlock) + ceilDiv(r, perBlock);
        return ind;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** 512-byte units per block. */
    public long sectorsPerBlock() {
        return blockSize / 512;
    }

    /** The most data blocks a file can have: within the tree, with data + indirect blocks fitting i_blocks. */
    public long maxFileBlocks() {
        return maxFileBlocks;
    }

    /** The largest file size in bytes (EFBIG beyond). */
    public long maxFileSize() {
        return maxFileBlocks * blockSize;
    }

    private long computeMaxFileBlocks() {
        long limitBlocks = MAX_I_BLOCKS / sectorsPerBlock();
        long lo = 0;
        long hi = Math.min(treeCapacity(), limitBlocks);
        while (lo < hi) { // largest n with n + indirect(n) <= limitBlocks
            long mid = lo + (hi - lo + 1) / 2;
            if (mid + indirectBlocksFor(mid) <= limitBlocks) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
