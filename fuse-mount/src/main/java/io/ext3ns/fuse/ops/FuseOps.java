package io.ext3ns.fuse.ops;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.StatFs;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What a FUSE binding calls, in plain Java types: the path-based operations of the high-level FUSE API. A binding
 * (libfuse 3 through jnr-ffi, or libfuse 2 through jnr-fuse) turns its native callbacks into these calls and a thrown
 * {@link FsException} into {@code -errno}; nothing here knows about a native library.
 *
 * <p>Paths are absolute within the mount ("/", "/a/b"). File handles are the numbers {@link #open} and
 * {@link #create} return; the binding stores them in its per-open slot (fuse_file_info.fh). Implementations must be
 * thread-safe: FUSE calls from many threads at once.
 */
public interface FuseOps {
    /**
     * The identity of the process making a call, for ownership of what it creates, and its umask (applied by us
     * when the kernel leaves it to the file system: POSIX ACLs, where a default ACL replaces it).
     */
    record Caller(int uid, int gid, int umask) {
        public Caller(int uid, int gid) {
            this(uid, gid, 0);
        }
    }

    /** Value of a time in {@link #utimens} meaning "leave unchanged". */
    long TIME_OMIT = -1;

    Attr getattr(String path) throws FsException;

    /** getattr on an open file (fstat); works after the name was unlinked. */
    Attr getattr(long fh) throws FsException;

    String readlink(String path) throws FsException;

    List<DirEntry> readdir(String path) throws FsException;

    /**
     * opendir: checks that {@code path} is a directory and returns a handle that {@link #readdir(long)} lists by, for
     * bindings that pass no path to readdir (libfuse 3 with nullpath_ok). The handle is the directory's inode number:
     * nothing to release.
     */
    long opendir(String path) throws FsException;

    List<DirEntry> readdir(long dirHandle) throws FsException;

    void mkdir(String path, int mode, Caller caller) throws FsException;

    void rmdir(String path) throws FsException;

    void unlink(String path) throws FsException;

    void symlink(String target, String linkPath, Caller caller) throws FsException;

    void rename(String from, String to) throws FsException;

    void link(String existing, String newPath) throws FsException;

    void chmod(String path, int mode) throws FsException;

    /** fchmod: by the open file, which may have lost its last name. */
    void chmod(long fh, int mode) throws FsException;

    /** -1 leaves uid or gid unchanged, as chown(2). */
    void chown(String path, int uid, int gid) throws FsException;

    /** fchown: by the open file. */
    void chown(long fh, int uid, int gid) throws FsException;

    void truncate(String path, long size) throws FsException;

    void truncate(long fh, long size) throws FsException;

    /** Times in nanoseconds since the epoch, or {@link #TIME_OMIT}. */
    void utimens(String path, long atimeNanos, long mtimeNanos) throws FsException;

    /** futimens: by the open file. */
    void utimens(long fh, long atimeNanos, long mtimeNanos) throws FsException;

    StatFs statfs() throws FsException;

    /**
     * Opens an existing file with open(2)'s {@code flags} ({@link OpenFlags}): for writing when they ask for it, and
     * cut to length 0 first (with mtime and ctime set, as open(2) does) when they carry O_TRUNC. Returns the handle
     * number.
     */
    long open(String path, int flags) throws FsException;

    /** Creates a regular file (EEXIST if the name exists) and opens it for writing. Returns the handle number. */
    long create(String path, int mode, Caller caller) throws FsException;

    /** Reads into {@code dst} from {@code offset}; returns bytes read, 0 at end of file. */
    int read(long fh, long offset, ByteBuffer dst) throws FsException;

    /**
     * Writes all of {@code src} at {@code offset}; returns bytes written. A caller other than root first clears the
     * file's set-id bits, as a write by a process without CAP_FSETID does on the kernel's ext3.
     */
    int write(long fh, long offset, ByteBuffer src, Caller caller) throws FsException;

    /** fallocate(2) with its mode bits ({@link io.ext3ns.fs.api.FallocateMode}). */
    void fallocate(long fh, int mode, long offset, long length) throws FsException;

    void fsync(long fh) throws FsException;

    /** Each close(2) of a descriptor: data written so far goes to the device, and its failure is reported here. */
    void flush(long fh) throws FsException;

    void release(long fh) throws FsException;

    // ---- special files and renameat2's exchange ----

    /** mknod(2): FIFO, socket, character or block device ({@code rdev} as FUSE carries it), or regular file. */
    void mknod(String path, int mode, int rdev, Caller caller) throws FsException;

    /** renameat2(RENAME_EXCHANGE): the two existing names swap what they refer to. */
    void exchange(String a, String b) throws FsException;

    // ---- extended attributes ----

    /** The value of attribute {@code name}; ENODATA when there is none. */
    byte[] getxattr(String path, String name) throws FsException;

    /** setxattr(2): flags XATTR_CREATE / XATTR_REPLACE ({@link io.ext3ns.fs.api.FileSystem}). */
    void setxattr(String path, String name, byte[] value, int flags) throws FsException;

    /** The names of the attributes the mount's options show (user.* unless nouser_xattr, ACLs unless noacl). */
    List<String> listxattr(String path) throws FsException;

    void removexattr(String path, String name) throws FsException;

    /**
     * The inode-based view of the same file system (sharing its open files), or null where an implementation has
     * none; a transport on /dev/fuse needs it.
     */
    default InodeOps inodes() {
        return null;
    }

    /** The session ends (unmounted): write back everything and release what is still open. */
    void destroy();
}
