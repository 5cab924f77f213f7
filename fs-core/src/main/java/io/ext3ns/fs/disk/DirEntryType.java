package io.ext3ns.fs.disk;

/** The file_type byte of an ext2 directory entry (feature filetype) and its link to the inode's mode. */
public final class DirEntryType {
    public static final int UNKNOWN = 0;
    public static final int REG = 1;
    public static final int DIR = 2;
    public static final int CHR = 3;
    public static final int BLK = 4;
    public static final int FIFO = 5;
    public static final int SOCK = 6;
    public static final int SYMLINK = 7;

    private DirEntryType() {
    }

    /** The entry type that belongs to an inode mode. */
    public static int ofMode(int mode) {
        switch (mode & Inode.S_IFMT) {
            case Inode.S_IFREG: return REG;
            case Inode.S_IFDIR: return DIR;
            case Inode.S_IFCHR: return CHR;
            case Inode.S_IFBLK: return BLK;
            case Inode.S_IFIFO: return FIFO;
            case Inode.S_IFSOCK: return SOCK;
            case Inode.S_IFLNK: return SYMLINK;
            default: return UNKNOWN;
        }
    }
}
