package io.ext3ns.fs.api;

/**
 * What stat(2) reports for an inode. Times are nanoseconds since the epoch. {@code blocks512} is i_blocks
 * (512-byte units, indirect blocks included), {@code blksize} the file system block size.
 */
public record Attr(long ino, int mode, int nlink, int uid, int gid, long size, long blocks512, int blksize,
                   long atimeNanos, long mtimeNanos, long ctimeNanos, int rdev) {

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isRegular() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }
}
