package io.ext3ns.fs.disk;

/**
 * Where things are, derived from a validated superblock: group boundaries, which groups carry superblock and
 * descriptor backups (sparse_super: 0, 1 and powers of 3, 5, 7), inode table sizes, inode-to-group mapping.
 * All block numbers are longs; every product is computed in 64 bits.
 */
public final class Geometry {
    private final int blockSize;
    private final long firstDataBlock;
    private final long blocksCount;
    private final long blocksPerGroup;
    private final long groupCount;
    private final long inodesPerGroup;
    private final int inodeSize;
    private final boolean sparseSuper;
    private final int reservedGdtBlocks;

    public Geometry(Superblock sb) {
        this(sb.blockSize(), sb.firstDataBlock(), sb.blocksCount(), sb.blocksPerGroup(), sb.inodesPerGroup(),
                sb.inodeSize(), sb.hasRoCompat(Features.RO_COMPAT_SPARSE_SUPER), sb.reservedGdtBlocks());
    }

    public Geometry(int blockSize, long firstDataBlock, long blocksCount, long blocksPerGroup, long inodesPerGroup,
                    int inodeSize, boolean sparseSuper, int reservedGdtBlocks) {
        this.blockSize = blockSize;
        this.firstDataBlock = firstDataBlock;
        this.blocksCount = blocksCount;
        this.blocksPerGroup = blocksPerGroup;
        this.groupCount = (blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup;
        this.inodesPerGroup = inodesPerGroup;
        this.inodeSize = inodeSize;
        this.sparseSuper = sparseSuper;
        this.reservedGdtBlocks = reservedGdtBlocks;
    }

    public int blockSize() { return blockSize; }
    public long firstDataBlock() { return firstDataBlock; }
    public long blocksCount() { return blocksCount; }
    public long blocksPerGroup() { return blocksPerGroup; }
    public long groupCount() { return groupCount; }
    public long inodesPerGroup() { return inodesPerGroup; }
    public int inodeSize() { return inodeSize; }
    public long inodesCount() { return inodesPerGroup * groupCount; }
    public int reservedGdtBlocks() { return reservedGdtBlocks; }

    public int inodesPerBlock() {
        return blockSize / inodeSize;
    }

    public long inodeTableBlocks() {
        return (inodesPerGroup * inodeSize + blockSize - 1) / blockSize;
    }

    /** Blocks of the group descriptor table (32 bytes a group). */
    public long gdtBlocks() {
        return (groupCount * GroupDescriptor.SIZE + blockSize - 1) / blockSize;
    }

    public long groupFirstBlock(long group) {
        return firstDataBlock + group * blocksPerGroup;
    }

    /** Blocks in the group: the last one may be short. */
    public long groupBlockCount(long group) {
        long first = groupFirstBlock(group);
        return Math.min(blocksPerGroup, blocksCount - first);
    }

    public long groupOfBlock(long block) {
        return (block - firstDataBlock) / blocksPerGroup;
    }

    public long groupOfInode(long ino) {
        return (ino - 1) / inodesPerGroup;
    }

    public long indexInGroup(long ino) {
        return (ino - 1) % inodesPerGroup;
    }

    /** ext2fs_bg_has_super: without sparse_super every group has a backup. */
    public boolean hasSuperBackup(long group) {
        if (group == 0 || !sparseSuper) {
            return true;
        }
        return group == 1 || isPowerOf(group, 3) || isPowerOf(group, 5) || isPowerOf(group, 7);
    }

    private static boolean isPowerOf(long n, int base) {
        long p = base;
        while (p < n) {
            p *= base;
        }
        return p == n;
    }

    /** Blocks at the start of the group taken by the superblock copy, the descriptor table and reserved GDT. */
    public long superAndGdtBlocks(long group) {
        return hasSuperBackup(group) ? 1 + gdtBlocks() + reservedGdtBlocks : 0;
    }

    /** Byte offset of the superblock copy of {@code group} (group 0: the primary at 1024). */
    public long superblockByteOffset(long group) {
        return group == 0 ? Superblock.OFFSET : groupFirstBlock(group) * blockSize;
    }

    /** First block of the descriptor table copy in a group that has a backup. */
    public long gdtFirstBlock(long group) {
        return groupFirstBlock(group) + 1;
    }

    public long byteOffset(long block) {
        return block * blockSize;
    }

    public boolean isValidInode(long ino) {
        return ino >= 1 && ino <= inodesCount();
    }

    public boolean isDataBlockInRange(long block) {
        return block >= firstDataBlock && block < blocksCount;
    }
}
