package io.ext3ns.fs.format;

import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Superblock;

/**
 * The geometry mkfs settles on for a spec and a device size, computed as mke2fs's ext2fs_initialize does: groups as
 * large as the 16-bit free counts and a one-block bitmap allow, inodes per group filling whole inode-table blocks,
 * a short last group dropped when it could not hold its own metadata plus a little data. Each group is laid out
 * [superblock + descriptor table if a sparse_super backup group] block bitmap, inode bitmap, inode table, data.
 */
public final class VolumeLayout {
    /** A short last group smaller than its metadata plus this many blocks is cut off (mke2fs uses 50). */
    static final int MIN_LAST_GROUP_DATA = 50;
    /** The first non-reserved inode; inodes 1..10 are reserved, 11 is lost+found. */
    static final int FIRST_INO = Superblock.GOOD_OLD_FIRST_INO;
    /** Group 0 must hold the reserved inodes and lost+found; a multiple of 8 so rounding cannot go below 11. */
    static final int MIN_INODES_PER_GROUP = 16;

    private final Geometry geometry;
    private final long inodesPerGroup;

    private VolumeLayout(Geometry geometry) {
        this.geometry = geometry;
        this.inodesPerGroup = geometry.inodesPerGroup();
    }

    /** Largest blocks per group: bitmap bits in one block, and 65528 so 16-bit free counts cannot overflow. */
    public static long maxBlocksPerGroup(int blockSize) {
        return Math.min(8L * blockSize, Superblock.MAX_BLOCKS_PER_GROUP);
    }

    /** Largest inodes per group: bitmap bits, and 16-bit free inode counts (65536 − inodes per block, as mke2fs). */
    static long maxInodesPerGroup(int blockSize, int inodeSize) {
        return Math.min(8L * blockSize, 65536L - blockSize / inodeSize);
    }

    /**
     * Plans a volume of {@code deviceBlocks} whole blocks (the device size over the block size).
     * {@code minGroup0Data} data blocks must fit in group 0 (root directory, lost+found, later the journal).
     */
    public static VolumeLayout plan(FormatSpec spec, long deviceBlocks, long minGroup0Data) throws FormatException {
        int bs = spec.blockSize();
        long blocks = spec.blocksCount() > 0 ? spec.blocksCount() : deviceBlocks;
        if (blocks > deviceBlocks) {
            throw new FormatException("asked for " + blocks + " blocks but the device holds only " + deviceBlocks
                    + " blocks of " + bs + " bytes");
        }
        if (blocks > 0xFFFF_FFFFL) {
            throw new FormatException(blocks + " blocks exceed ext3's 32-bit block numbers; use a larger block size"
                    + " or a smaller --size");
        }
        long firstData = bs == 1024 ? 1 : 0;
        long bpg = spec.blocksPerGroup() > 0 ? spec.blocksPerGroup() : maxBlocksPerGroup(bs);
        while (true) {
            if (blocks <= firstData) {
                throw new FormatException("device too small: " + blocks + " blocks of " + bs + " bytes");
            }
            long groups = ceilDiv(blocks - firstData, bpg);
            long ipg = inodesPerGroup(spec, blocks, groups);
            Geometry geo = new Geometry(bs, firstData, blocks, bpg, ipg, spec.inodeSize(), true, 0);
            long rem = (blocks - firstData) % bpg;
            long lastOverhead = overhead(geo, groups - 1);
            if (groups > 1 && rem > 0 && rem < lastOverhead + MIN_LAST_GROUP_DATA) {
                blocks -= rem; // too short to be useful: drop it and recompute (fewer groups, fewer GDT blocks)
                continue;
            }
            // full groups differ only by their backup: group 0, group 1 (a backup group) and the last decide
            for (long g : new long[] {0, Math.min(1, groups - 1), groups - 1}) {
                long need = overhead(geo, g) + (g == 0 ? minGroup0Data : 0);
                if (need > geo.groupBlockCount(g)) {
                    throw new FormatException("group " + g + " cannot hold its metadata (" + overhead(geo, g)
                            + " blocks" + (g == 0 ? " + " + minGroup0Data + " for the root directory" : "")
                            + ") in " + geo.groupBlockCount(g) + " blocks: the device is too small or there are"
                            + " too many inodes");
                }
            }
            return new VolumeLayout(geo);
        }
    }

    private static long inodesPerGroup(FormatSpec spec, long blocks, long groups) throws FormatException {
        int bs = spec.blockSize();
        int isz = spec.inodeSize();
        long wanted = spec.inodeCount() > 0 ? spec.inodeCount()
                : Math.max(1, (blocks * bs) / spec.effectiveBytesPerInode());
        long ipg = Math.max(ceilDiv(wanted, groups), MIN_INODES_PER_GROUP);
        long max = maxInodesPerGroup(bs, isz);
        if (ipg > max) {
            if (spec.inodeCount() > 0) {
                throw new FormatException(spec.inodeCount() + " inodes need " + ipg + " per group, more than the "
                        + max + " a group can hold");
            }
            ipg = max;
        }
        ipg = (ipg + 7) & ~7L; // bitmaps are spliced a byte at a time: a multiple of 8, rounded up (-N is "at least")
        long tableBlocks = ceilDiv(ipg * isz, bs);
        ipg = tableBlocks * bs / isz; // fill the inode table's last block, as mke2fs
        ipg = Math.min(ipg, max) & ~7L; // max is a multiple of 8 and of the inodes per block
        if (ipg * groups > 0xFFFF_FFFFL) {
            throw new FormatException((ipg * groups) + " inodes exceed the 32-bit inode count");
        }
        return ipg;
    }

    /** Metadata blocks at the start of a group: superblock + GDT backup (if any), two bitmaps, the inode table. */
    static long overhead(Geometry geo, long group) {
        return geo.superAndGdtBlocks(group) + 2 + geo.inodeTableBlocks();
    }

    public Geometry geometry() {
        return geometry;
    }

    public long groupCount() {
        return geometry.groupCount();
    }

    public long inodesPerGroup() {
        return inodesPerGroup;
    }

    public long blockBitmap(long group) {
        return geometry.groupFirstBlock(group) + geometry.superAndGdtBlocks(group);
    }

    public long inodeBitmap(long group) {
        return blockBitmap(group) + 1;
    }

    public long inodeTable(long group) {
        return blockBitmap(group) + 2;
    }

    /** First block after the group's metadata. */
    public long firstDataBlock(long group) {
        return inodeTable(group) + geometry.inodeTableBlocks();
    }

    public long overhead(long group) {
        return overhead(geometry, group);
    }

    /** A descriptor pointing at the group's metadata, counts still zero. */
    GroupDescriptor descriptor(long group) {
        GroupDescriptor gd = GroupDescriptor.blank();
        gd.setBlockBitmap(blockBitmap(group));
        gd.setInodeBitmap(inodeBitmap(group));
        gd.setInodeTable(inodeTable(group));
        return gd;
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
