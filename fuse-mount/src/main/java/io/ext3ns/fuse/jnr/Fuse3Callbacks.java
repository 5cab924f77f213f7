package io.ext3ns.fuse.jnr;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;

/**
 * Native signatures of the libfuse 3 operations the adapter implements (include/fuse.h, FUSE_USE_VERSION 30+).
 * {@code fi} is a struct fuse_file_info * ({@link Fuse3FileInfo}); mode_t, uid_t, gid_t and flags are 32-bit,
 * size_t and off_t 64-bit. Public, as jnr-ffi's generated closure classes (another class loader) must see them.
 */
public final class Fuse3Callbacks {
    private Fuse3Callbacks() {
    }

    public interface GetAttr {
        @Delegate
        int getattr(String path, Pointer stat, Pointer fi);
    }

    public interface Readlink {
        @Delegate
        int readlink(String path, Pointer buf, long size);
    }

    /** mknod: dev_t is 64-bit; FUSE fills its low 32 bits (new_encode_dev). */
    public interface Mknod {
        @Delegate
        int mknod(String path, int mode, long rdev);
    }

    public interface Mkdir {
        @Delegate
        int mkdir(String path, int mode);
    }

    /** unlink and rmdir. */
    public interface PathOnly {
        @Delegate
        int apply(String path);
    }

    /** symlink and link: (target or existing, new path). */
    public interface TwoPaths {
        @Delegate
        int apply(String from, String to);
    }

    public interface Rename {
        @Delegate
        int rename(String from, String to, int flags);
    }

    public interface Chmod {
        @Delegate
        int chmod(String path, int mode, Pointer fi);
    }

    public interface Chown {
        @Delegate
        int chown(String path, int uid, int gid, Pointer fi);
    }

    public interface Truncate {
        @Delegate
        int truncate(String path, long size, Pointer fi);
    }

    /** open, flush, release, opendir, releasedir. */
    public interface WithFile {
        @Delegate
        int apply(String path, Pointer fi);
    }

    /** read and write. */
    public interface Transfer {
        @Delegate
        int apply(String path, Pointer buf, long size, long offset, Pointer fi);
    }

    public interface Statfs {
        @Delegate
        int statfs(String path, Pointer statvfs);
    }

    /** fsync and fsyncdir. */
    public interface Fsync {
        @Delegate
        int fsync(String path, int datasync, Pointer fi);
    }

    public interface Readdir {
        @Delegate
        int readdir(String path, Pointer buf, Pointer filler, long offset, Pointer fi, int flags);
    }

    public interface Init {
        @Delegate
        Pointer init(Pointer conn, Pointer config);
    }

    public interface Destroy {
        @Delegate
        void destroy(Pointer privateData);
    }

    public interface Create {
        @Delegate
        int create(String path, int mode, Pointer fi);
    }

    public interface Utimens {
        @Delegate
        int utimens(String path, Pointer times, Pointer fi);
    }

    public interface Fallocate {
        @Delegate
        int fallocate(String path, int mode, long offset, long length, Pointer fi);
    }

    public interface SetXattr {
        @Delegate
        int setxattr(String path, String name, Pointer value, long size, int flags);
    }

    public interface GetXattr {
        @Delegate
        int getxattr(String path, String name, Pointer value, long size);
    }

    public interface ListXattr {
        @Delegate
        int listxattr(String path, Pointer list, long size);
    }

    /** removexattr: (path, name). */
    public interface RemoveXattr {
        @Delegate
        int removexattr(String path, String name);
    }
}
