package io.ext3ns.fs.disk;

import static io.ext3ns.fs.disk.LittleEndian.checkU16;
import static io.ext3ns.fs.disk.LittleEndian.checkU32;
import static io.ext3ns.fs.disk.LittleEndian.put16;
import static io.ext3ns.fs.disk.LittleEndian.put32;
import static io.ext3ns.fs.disk.LittleEndian.u16;
import static io.ext3ns.fs.disk.LittleEndian.u32;

import java.util.Arrays;

/** A 32-byte ext2/3 group descriptor, as a view over its bytes (unmodelled fields survive rewrites). */
public final class GroupDescriptor {
    public static final int SIZE = 32;
    /** bg_flags: inode table zeroed; the only flag allowed without gdt_csum. */
    public static final int FLAG_INODE_ZEROED = 0x4;
    private static final int FLAGS_UNINIT = 0x3;

    private final byte[] b;

    private GroupDescriptor(byte[] b) {
        this.b = b;
    }

    public static GroupDescriptor blank() {
        return new GroupDescriptor(new byte[SIZE]);
    }

    /**
     * Copies and validates descriptor {@code group}: metadata blocks must lie inside the group's block range
     * (ext3 without flex_bg keeps them there) and free counts within the group's size.
     */
    public static GroupDescriptor decode(byte[] src, int offset, long group, Geometry geo) throws CorruptFsException {
        GroupDescriptor gd = new GroupDescriptor(Arrays.copyOfRange(src, offset, offset + SIZE));
        long first = geo.groupFirstBlock(group);
        long end = first + geo.groupBlockCount(group);
        String where = "group " + group + " descriptor: ";
        if (gd.blockBitmap() < first || gd.blockBitmap() >= end) {
            throw new CorruptFsException(where + "block bitmap " + gd.blockBitmap() + " outside [" + first + "," + end + ")");
        }
        if (gd.inodeBitmap() < first || gd.inodeBitmap() >= end) {
            throw new CorruptFsException(where + "inode bitmap " + gd.inodeBitmap() + " outside [" + first + "," + end + ")");
        }
        if (gd.inodeTable() < first || gd.inodeTable() + geo.inodeTableBlocks() > end) {
            throw new CorruptFsException(where + "inode table " + gd.inodeTable() + " (+" + geo.inodeTableBlocks()
                    + " blocks) outside [" + first + "," + end + ")");
        }
        if (gd.freeBlocks() > geo.groupBlockCount(group)) {
            throw new CorruptFsException(where + "free blocks " + gd.freeBlocks() + " exceed group size");
        }
        if (gd.freeInodes() > geo.inodesPerGroup() || gd.usedDirs() > geo.inodesPerGroup()) {
            throw new CorruptFsException(where + "free inodes / used dirs exceed inodes per group");
        }
        if ((gd.flags() & FLAGS_UNINIT) != 0) {
            throw new CorruptFsException(where + "UNINIT flags set without gdt_csum");
        }
        return gd;
    }

    /**
     * The bitmaps and the inode table must not lie on the group's superblock copy and descriptor table (with the
     * reserved GDT blocks) nor on each other, as e2fsck's ext2fs_check_desc demands: the engine would otherwise read
     * inodes out of the superblock or allocate over a bitmap. Not part of {@link #decode}: fsck reports these as
     * problems of pass 0 and goes on.
     */
    public void checkPlacement(long group, Geometry geo) throws CorruptFsException {
        String where = "group " + group + " descriptor: ";
        long first = geo.groupFirstBlock(group);
        long superEnd = first + geo.superAndGdtBlocks(group);
        long table = inodeTable();
        long tableEnd = table + geo.inodeTableBlocks();
        if (table < superEnd) {
            throw new CorruptFsException(where + "inode table " + table + " overlaps the superblock and descriptor"
                    + " table [" + first + "," + superEnd + ")");
        }
        checkBitmap(where + "block bitmap ", blockBitmap(), first, superEnd, table, tableEnd);
        checkBitmap(where + "inode bitmap ", inodeBitmap(), first, superEnd, table, tableEnd);
        if (blockBitmap() == inodeBitmap()) {
            throw new CorruptFsException(where + "block and inode bitmaps share block " + blockBitmap());
        }
    }

    private static void checkBitmap(String what, long block, long first, long superEnd, long table, long tableEnd)
            throws CorruptFsException {
        if (block < superEnd) {
            throw new CorruptFsException(what + block + " overlaps the superblock and descriptor table [" + first
                    + "," + superEnd + ")");
        }
        if (block >= table && block < tableEnd) {
            throw new CorruptFsException(what + block + " lies inside the inode table [" + table + "," + tableEnd
                    + ")");
        }
    }

    public void encodeInto(byte[] dst, int offset) {
        System.arraycopy(b, 0, dst, offset, SIZE);
    }

    public GroupDescriptor copy() {
        return new GroupDescriptor(b.clone());
    }

    public long blockBitmap() { return u32(b, 0x00); }
    public void setBlockBitmap(long v) { checkU32("bg_block_bitmap", v); put32(b, 0x00, v); }
    public long inodeBitmap() { return u32(b, 0x04); }
    public void setInodeBitmap(long v) { checkU32("bg_inode_bitmap", v); put32(b, 0x04, v); }
    public long inodeTable() { return u32(b, 0x08); }
    public void setInodeTable(long v) { checkU32("bg_inode_table", v); put32(b, 0x08, v); }
    public int freeBlocks() { return u16(b, 0x0C); }
    public void setFreeBlocks(int v) { checkU16("bg_free_blocks_count", v); put16(b, 0x0C, v); }
    public int freeInodes() { return u16(b, 0x0E); }
    public void setFreeInodes(int v) { checkU16("bg_free_inodes_count", v); put16(b, 0x0E, v); }
    public int usedDirs() { return u16(b, 0x10); }
    public void setUsedDirs(int v) { checkU16("bg_used_dirs_count", v); put16(b, 0x10, v); }
    public int flags() { return u16(b, 0x12); }
    public void setFlags(int v) { put16(b, 0x12, v); }
}
