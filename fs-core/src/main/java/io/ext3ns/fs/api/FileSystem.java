package io.ext3ns.fs.api;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The file system as FUSE and the streaming server call it: inode-based, thread-safe, every failure an
 * {@link FsException} carrying an {@link Errno}. Names are single path components (no '/'); times in nanoseconds.
 * Names, symlink targets and xattr names are byte strings as on Linux, carried as the Strings
 * {@link io.ext3ns.fs.util.FileNames} decodes them to (lossless: bytes that are not UTF-8 are escapes), and compared as
 * bytes.
 */
public interface FileSystem extends Closeable {
    long ROOT_INO = 2;

    // ---- namespace ----
    long lookup(long dirIno, String name) throws FsException;

    /** Resolves an absolute path ("/a/b") without following a final symlink. */
    default long resolve(String path) throws FsException {
        long ino = ROOT_INO;
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                ino = lookup(ino, part);
            }
        }
        return ino;
    }

    Attr getattr(long ino) throws FsException;

    /** All entries including "." and "..", in on-disk order. */
    List<DirEntry> readdir(long dirIno) throws FsException;

    long mkdir(long parentIno, String name, int mode, int uid, int gid) throws FsException;

    void rmdir(long parentIno, String name) throws FsException;

    /** Creates a regular file; EEXIST if the name exists. */
    long create(long parentIno, String name, int mode, int uid, int gid) throws FsException;

    void unlink(long parentIno, String name) throws FsException;

    /** rename(2): replaces a compatible target, refuses moving a directory into its own subtree (EINVAL). */
    void rename(long srcParentIno, String srcName, long dstParentIno, String dstName) throws FsException;

    void link(long ino, long newParentIno, String newName) throws FsException;

    long symlink(long parentIno, String name, String target, int uid, int gid) throws FsException;

    String readlink(long ino) throws FsException;

    // ---- attributes ----
    void chmod(long ino, int mode) throws FsException;

    void chown(long ino, int uid, int gid) throws FsException;

    /** Sets times; a negative value leaves that time unchanged. */
    void utimens(long ino, long atimeNanos, long mtimeNanos) throws FsException;

    /** Grows (holes) or shrinks (frees data and indirect blocks) a regular file. */
    void truncate(long ino, long size) throws FsException;

    StatFs statfs() throws FsException;

    // ---- data ----
    FileHandle open(long ino, boolean write) throws FsException;

    /** Legacy buffered path: block cache with read-ahead. Returns bytes read (0 at or past EOF). */
    int read(FileHandle handle, long offset, ByteBuffer dst) throws FsException;

    /**
     * Buffered write with gathering into whole blocks, full blocks written behind the caller. Returns bytes written
     * (all of src, or throws; EIO when data written behind earlier could not be stored).
     */
    int write(FileHandle handle, long offset, ByteBuffer src) throws FsException;

    /** Preallocates blocks for [offset, offset+length) without changing the visible size beyond offset+length. */
    void fallocate(FileHandle handle, long offset, long length) throws FsException;

    void fsync(FileHandle handle) throws FsException;

    /**
     * close(2)'s check: writes the data gathered for the handle's file to the device (not made durable: that is
     * {@link #fsync}) and reports a failure of data written behind earlier (EIO), once.
     */
    void flush(FileHandle handle) throws FsException;

    void release(FileHandle handle) throws FsException;

    /**
     * Fast path: reads file data from the device straight into {@code dst}, a buffer aligned for the device
     * (see {@link io.ext3ns.sda.AlignedBuffers}), with no intermediate copy. {@code offset} must be a multiple of
     * {@link #blockSize()}; {@code dst.remaining()} a multiple of it too. Holes are zero-filled. Returns the bytes
     * of file data placed (less than requested only at end of file).
     */
    int readDirect(FileHandle handle, long offset, ByteBuffer dst) throws FsException;

    /**
     * Where the file's bytes [{@code offset}, {@code offset + length}) lie on the device's members, so a reader may
     * send them from the members itself (sendfile) as {@link #readDirect} would have read them: written data is on
     * the device first. {@code offset} is a multiple of {@link #blockSize()}; the range ends at most at the last
     * block of the file (the caller trims the tail past the size). Null when the engine cannot say: a hole in the
     * range, a device that does not know its members' files, a file system that has no device, and a writable
     * volume (a truncate could free the blocks and another file reuse them before the caller reads: only a
     * read-only volume's answer stays true).
     */
    default java.util.List<io.ext3ns.sda.MemberExtent> locateDirect(FileHandle handle, long offset, long length)
            throws FsException {
        return null;
    }

    // ---- special files, fallocate modes, exchange, set-id bits (atime: the engine's options) ----

    /**
     * mknod(2): a FIFO, socket, character or block device ({@code rdev} in Linux's new_encode_dev form, as FUSE
     * carries it), or a regular file; EEXIST if the name exists, EPERM for a directory, EINVAL for another type.
     */
    long mknod(long parentIno, String name, int mode, int rdev, int uid, int gid) throws FsException;

    /**
     * renameat2(RENAME_EXCHANGE): swaps the inodes two existing names refer to, fixing '..' and the parents' link
     * counts when directories change parent; ENOENT if either is missing, EINVAL for a directory moved below itself.
     */
    void exchange(long aParentIno, String aName, long bParentIno, String bName) throws FsException;

    /**
     * fallocate(2) with its mode ({@link FallocateMode}): 0 is {@link #fallocate(FileHandle, long, long)};
     * KEEP_SIZE preallocates without growing; PUNCH_HOLE|KEEP_SIZE frees the range; ZERO_RANGE zeroes it,
     * allocated. Any other mode, or a keep-size range past the file's last block, is EOPNOTSUPP.
     */
    void fallocate(FileHandle handle, int mode, long offset, long length) throws FsException;

    /**
     * What a write by a caller without CAP_FSETID does first (the kernel's file_remove_privs): clears S_ISUID, and
     * S_ISGID when the group may execute or the caller, by {@code callerGid}, is not in the file's group; nothing
     * when neither applies.
     */
    void clearSetIdForWrite(long ino, int callerGid) throws FsException;

    // ---- the block cache (fs-core's one cache of file data; FUSE copies from it, the streamer sends from it) ----

    /** Bytes of file data per cache unit (whole blocks); 0 when this file system has no block cache. */
    default int cacheUnitBytes() {
        return 0;
    }

    /**
     * A lease on cache unit {@code unit} of the open file (its bytes [{@code unit * cacheUnitBytes()}, ...)), once
     * in memory: read from the members on the file system's read-ahead pool if not cached, and the units after it
     * read ahead for this handle's sequential reader. Never blocks the caller. The holder must release the lease;
     * its bytes stay as they were when it was taken. Fails with {@link io.ext3ns.fs.cache.PoolExhaustedException}
     * when every unit is leased (retry later), with EINVAL for a unit past the end of the file.
     */
    default java.util.concurrent.CompletableFuture<io.ext3ns.fs.cache.CachedBlock> leaseAsync(FileHandle handle,
                                                                                           long unit) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new FsException(Errno.EOPNOTSUPP, "this file system has no block cache"));
    }

    /** The block cache's counters; null when this file system has none. */
    default BlockCacheStats blockCacheStats() {
        return null;
    }

    // ---- extended attributes (ext3's ext_attr: user., trusted., security., system.posix_acl_*) ----

    /** setxattr(2)'s flags: fail with EEXIST if the attribute exists / with ENODATA if it does not. */
    int XATTR_CREATE = 1;
    int XATTR_REPLACE = 2;

    /**
     * The value of attribute {@code name} ("user.x", "system.posix_acl_access" in the VFS's ACL xattr format);
     * ENODATA when it has none, EOPNOTSUPP for an unknown namespace.
     */
    default byte[] getxattr(long ino, String name) throws FsException {
        throw new FsException(Errno.EOPNOTSUPP, "no extended attributes");
    }

    /**
     * Sets attribute {@code name}: flags 0, {@link #XATTR_CREATE} or {@link #XATTR_REPLACE}; ENOSPC when it does
     * not fit (in the inode or its one attribute block), E2BIG above 64 KiB, ERANGE for a name above 255 bytes.
     */
    default void setxattr(long ino, String name, byte[] value, int flags) throws FsException {
        throw new FsException(Errno.EOPNOTSUPP, "no extended attributes");
    }

    /** The full names of the inode's attributes. */
    default List<String> listxattr(long ino) throws FsException {
        throw new FsException(Errno.EOPNOTSUPP, "no extended attributes");
    }

    /** Removes attribute {@code name}; ENODATA when there is none. */
    default void removexattr(long ino, String name) throws FsException {
        throw new FsException(Errno.EOPNOTSUPP, "no extended attributes");
    }

    int blockSize();

    /** Writes back everything dirty and makes it durable. */
    void sync() throws IOException;
}
