package io.ext3ns.fs.disk;

import static io.ext3ns.fs.disk.LittleEndian.checkU16;
import static io.ext3ns.fs.disk.LittleEndian.checkU32;
import static io.ext3ns.fs.disk.LittleEndian.put16;
import static io.ext3ns.fs.disk.LittleEndian.put32;
import static io.ext3ns.fs.disk.LittleEndian.u16;
import static io.ext3ns.fs.disk.LittleEndian.u32;

import java.util.Arrays;

/**
 * An ext2/3 inode (128 or 256 bytes), as a view over its bytes so that fields we do not model survive. Large inodes
 * carry i_extra_isize and the *_extra time words ((nsec &lt;&lt; 2) | epoch bits) for nanosecond times past 2038.
 */
public final class Inode {
    public static final int GOOD_OLD_SIZE = 128;
    public static final int N_BLOCKS = 15;
    public static final int NDIR_BLOCKS = 12;
    public static final int IND_BLOCK = 12;
    public static final int DIND_BLOCK = 13;
    public static final int TIND_BLOCK = 14;
    /** The extra space EXT3NS fills in large inodes (covers ctime/mtime/atime/crtime extras). */
    public static final int EXTRA_ISIZE = 32;

    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000;
    public static final int S_IFLNK = 0120000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFIFO = 0010000;

    public static final long FL_INDEX = 0x1000;
    /** AFS server inode; only meaningful with the imagic_inodes compat feature. */
    public static final long FL_IMAGIC = 0x2000;
    public static final long FL_EXTENTS = 0x80000;
    public static final long FL_INLINE_DATA = 0x10000000;
    /** A symlink target this short lives in i_block itself (60 bytes, NUL not stored). */
    public static final int FAST_SYMLINK_MAX = 59;

    private final byte[] b;

    private Inode(byte[] b) {
        this.b = b;
    }

    /** A zeroed inode of the given on-disk size, with i_extra_isize set for large inodes. */
    public static Inode blank(int inodeSize) {
        Inode in = new Inode(new byte[inodeSize]);
        if (inodeSize > GOOD_OLD_SIZE) {
            in.setExtraIsize(EXTRA_ISIZE);
        }
        return in;
    }

    /** Copies an inode out of an inode-table block; {@link #validate} checks it before use. */
    public static Inode decode(byte[] src, int offset, int inodeSize) {
        return new Inode(Arrays.copyOfRange(src, offset, offset + inodeSize));
    }

    public void encodeInto(byte[] dst, int offset) {
        System.arraycopy(b, 0, dst, offset, b.length);
    }

    public Inode copy() {
        return new Inode(b.clone());
    }

    public int onDiskSize() {
        return b.length;
    }

    /**
     * Checks an in-use inode's fields before the engine trusts them: a known file type, no ext4-only flags,
     * block pointers inside the volume. {@code what} names the inode in the message.
     */
    public void validate(long ino, Geometry geo) throws CorruptFsException {
        int type = mode() & S_IFMT;
        if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK && type != S_IFCHR && type != S_IFBLK
                && type != S_IFIFO && type != S_IFSOCK) {
            throw new CorruptFsException(String.format("inode %d: bad file type in mode 0%o", ino, mode()));
        }
        if ((flags() & (FL_EXTENTS | FL_INLINE_DATA)) != 0) {
            throw new CorruptFsException(String.format("inode %d: ext4 flags 0x%x unsupported", ino, flags()));
        }
        if (b.length > GOOD_OLD_SIZE) {
            int extra = extraIsize();
            if (extra != 0 && (extra < 4 || extra > b.length - GOOD_OLD_SIZE || extra % 4 != 0)) {
                throw new CorruptFsException("inode " + ino + ": bad i_extra_isize " + extra);
            }
        }
        if (hasBlockMap()) { // a device keeps its number there (DeviceNumber), a fast symlink its target
            for (int i = 0; i < N_BLOCKS; i++) {
                long blk = block(i);
                if (blk != 0 && !geo.isDataBlockInRange(blk)) {
                    throw new CorruptFsException("inode " + ino + ": i_block[" + i + "] = " + blk + " out of range");
                }
            }
        }
        if (size() < 0) {
            throw new CorruptFsException("inode " + ino + ": negative size");
        }
    }

    public int fileType() {
        return mode() & S_IFMT;
    }

    public boolean isDirectory() {
        return fileType() == S_IFDIR;
    }

    public boolean isRegular() {
        return fileType() == S_IFREG;
    }

    public boolean isSymlink() {
        return fileType() == S_IFLNK;
    }

    /**
     * A fast symlink keeps its target in i_block: as e2fsprogs 1.47 decides it, a symlink whose size is below the
     * 60 bytes of i_block (mke2fs and the kernel store every target that short inline).
     */
    public boolean isFastSymlink() {
        return isSymlink() && size() > 0 && size() < 60;
    }

    /**
     * True when i_block is a block map (regular files, directories, slow symlinks); device numbers, FIFOs, sockets
     * and fast symlinks keep something else there, or nothing.
     */
    public boolean hasBlockMap() {
        return isRegular() || isDirectory() || (isSymlink() && !isFastSymlink());
    }

    public int mode() { return u16(b, 0x00); }
    public void setMode(int v) { put16(b, 0x00, v & 0xFFFF); }

    public int uid() { return u16(b, 0x02) | u16(b, 0x78) << 16; }

    public void setUid(int v) {
        put16(b, 0x02, v & 0xFFFF);
        put16(b, 0x78, (v >>> 16) & 0xFFFF);
    }

    public int gid() { return u16(b, 0x18) | u16(b, 0x7A) << 16; }

    public void setGid(int v) {
        put16(b, 0x18, v & 0xFFFF);
        put16(b, 0x7A, (v >>> 16) & 0xFFFF);
    }

    /** i_size with i_size_high (regular files with large_file, and directories' i_dir_acl = 0 in practice). */
    public long size() {
        return u32(b, 0x04) | u32(b, 0x6C) << 32;
    }

    public void setSize(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative size " + v);
        }
        put32(b, 0x04, v & 0xFFFF_FFFFL);
        put32(b, 0x6C, v >>> 32);
    }

    public long atime() { return u32(b, 0x08); }
    public long ctime() { return u32(b, 0x0C); }
    public long mtime() { return u32(b, 0x10); }
    public long dtime() { return u32(b, 0x14); }
    public void setDtime(long v) { put32(b, 0x14, v); }
    public int linksCount() { return u16(b, 0x1A); }
    public void setLinksCount(int v) { checkU16("i_links_count", v); put16(b, 0x1A, v); }

    /** i_blocks: 512-byte units including indirect blocks (huge_file is never set by us). */
    public long blocks512() { return u32(b, 0x1C); }
    public void setBlocks512(long v) { checkU32("i_blocks", v); put32(b, 0x1C, v); }
    public long flags() { return u32(b, 0x20); }
    public void setFlags(long v) { put32(b, 0x20, v); }

    public long block(int i) {
        return u32(b, 0x28 + 4 * i);
    }

    public void setBlock(int i, long v) {
        checkU32("i_block", v);
        put32(b, 0x28 + 4 * i, v);
    }

    /** The 60 bytes of i_block, where a fast symlink keeps its target. */
    public byte[] blockArea() {
        return Arrays.copyOfRange(b, 0x28, 0x28 + 60);
    }

    public void setBlockArea(byte[] area) {
        if (area.length > 60) {
            throw new IllegalArgumentException("i_block area holds 60 bytes");
        }
        Arrays.fill(b, 0x28, 0x28 + 60, (byte) 0);
        System.arraycopy(area, 0, b, 0x28, area.length);
    }

    public long generation() { return u32(b, 0x64); }
    public void setGeneration(long v) { put32(b, 0x64, v); }
    public long fileAcl() { return u32(b, 0x68); }

    /** Fields ext2 never used on Linux that e2fsck requires to be zero: i_faddr, and without huge_file / 64bit
     *  the high halves l_i_blocks_hi and l_i_file_acl_high. */
    public long faddr() { return u32(b, 0x70); }
    public int blocksHigh() { return u16(b, 0x74); }
    public int fileAclHigh() { return u16(b, 0x76); }

    /** Zeroes i_faddr, l_i_blocks_hi and l_i_file_acl_high (what e2fsck's pass 2 clears). */
    public void clearUnusedHighFields() {
        put32(b, 0x70, 0);
        put16(b, 0x74, 0);
        put16(b, 0x76, 0);
    }

    public int extraIsize() {
        return b.length > GOOD_OLD_SIZE ? u16(b, 0x80) : 0;
    }

    public void setExtraIsize(int v) {
        put16(b, 0x80, v);
    }

    private boolean hasExtra(int fieldEnd) {
        return b.length > GOOD_OLD_SIZE && GOOD_OLD_SIZE + extraIsize() >= fieldEnd;
    }

    public long atimeNanos() { return timeNanos(0x08, 0x8C); }
    public long ctimeNanos() { return timeNanos(0x0C, 0x84); }
    public long mtimeNanos() { return timeNanos(0x10, 0x88); }
    public void setAtimeNanos(long t) { setTimeNanos(0x08, 0x8C, t); }
    public void setCtimeNanos(long t) { setTimeNanos(0x0C, 0x84, t); }
    public void setMtimeNanos(long t) { setTimeNanos(0x10, 0x88, t); }

    /** crtime lives only in large inodes; small ones ignore it. */
    public void setCrtimeNanos(long t) {
        if (hasExtra(0x98)) {
            setTimeNanos(0x90, 0x94, t);
        }
    }

    private long timeNanos(int lo, int extra) {
        long secs = (int) u32(b, lo); // signed 32-bit seconds
        long nanos = 0;
        if (hasExtra(extra + 4)) {
            long x = u32(b, extra);
            secs += (x & 3) << 32;
            nanos = x >>> 2;
        }
        return secs * 1_000_000_000L + nanos;
    }

    private void setTimeNanos(int lo, int extra, long t) {
        long secs = Math.floorDiv(t, 1_000_000_000L);
        long nanos = Math.floorMod(t, 1_000_000_000L);
        put32(b, lo, secs & 0xFFFF_FFFFL);
        if (hasExtra(extra + 4)) {
            long epoch = ((secs - (int) secs) >> 32) & 3;
            put32(b, extra, nanos << 2 | epoch);
        }
    }

    /** Clears the whole inode except i_extra_isize, as a delete that leaves dtime set. */
    public void clearForReuse() {
        int extra = extraIsize();
        Arrays.fill(b, (byte) 0);
        if (b.length > GOOD_OLD_SIZE) {
            setExtraIsize(extra == 0 ? EXTRA_ISIZE : extra);
        }
    }

    // ---- extended attributes (ext_attr) ----

    /** i_file_acl: the inode's extended-attribute block (0: none). */
    public void setFileAcl(long block) {
        checkU32("i_file_acl", block);
        put32(b, 0x68, block);
    }

    /** The attributes kept in a large inode after i_extra_isize (none in a small one). */
    public java.util.List<XattrEntry> inInodeXattrs(long ino) throws CorruptFsException {
        return ExtendedAttributes.decodeInInode(b, extraIsize(), "inode " + ino);
    }

    /** Bytes a large inode offers to attributes after i_extra_isize (0 for a small inode). */
    public int inInodeXattrCapacity() {
        return ExtendedAttributes.inInodeCapacity(b.length, extraIsize());
    }

    /** Rewrites the in-inode attributes; false, changing nothing, when they do not fit. */
    public boolean setInInodeXattrs(java.util.List<XattrEntry> entries) {
        return ExtendedAttributes.encodeInInode(entries, b, extraIsize());
    }
}
