package io.ext3ns.fuse.jnr;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;

/**
 * Native signatures of the libfuse 3 operations the adapter implements (include/fuse.h, FUSE_USE_VERSION 30+).
 * {@code fi} is a struct fuse_file_info * ({@link Fuse3FileInfo}); mode_t, uid_t, gid_t and flags are 32-bit,
 * size_t and off_t 64-bit. Paths and names come as their char * ({@link Upcalls#path}): jnr-ffi would decode a String
 * parameter with the JVM's charset, replacing bytes that are not UTF-8. Public, as jnr-ffi's generated closure
 * classes (another class loader) must see them.
 */
public final class Fuse3Callbacks {
    private Fuse3Callbacks() {
    }

    public interface GetAttr {
        @Delegate
        int getattr(Pointer path, Pointer stat, Pointer fi);
    }

    public interface Readlink {
        @Delegate
        int readlink(Pointer path, Pointer buf, long size);
    }

    /** mknod: dev_t is 64-bit; FUSE fills its low 32 bits (new_encode_dev). */
    public interface Mknod {
        @Delegate
        int mknod(Pointer path, int mode, long rdev);
    }

    public interface Mkdir {
        @Delegate
        int mkdir(Pointer path, int mode);
    }

    /** unlink and rmdir. */
    public interface PathOnly {
        @Delegate
        int apply(Pointer path);
    }

    /** symlink and link: (target or existing, new path). */
    public interface TwoPaths {
        @Delegate
        int apply(Pointer from, Pointer to);
    }

    public interface Rename {
        @Delegate
        int rename(Pointer from, Pointer to, int flags);
    }

    public interface Chmod {
        @Delegate
        int chmod(Pointer path, int mode, Pointer fi);
    }

    public interface Chown {
        @Delegate
        int chown(Pointer path, int uid, int gid, Pointer fi);
    }

    public interface Truncate {
        @Delegate
        int truncate(Pointer path, long size, Pointer fi);
    }

    /** open, flush, release, opendir, releasedir. */
    public interface WithFile {
        @Delegate
        int apply(Pointer path, Pointer fi);
    }

    /** read and write. */
    public interface Transfer {
        @Delegate
        int apply(Pointer path, Pointer buf, long size, long offset, Pointer fi);
    }

    public interface Statfs {
        @Delegate
        int statfs(Pointer path, Pointer statvfs);
    }

    /** fsync and fsyncdir. */
    public interface Fsync {
        @Delegate
        int fsync(Pointer path, int datasync, Pointer fi);
    }

    public interface Readdir {
        @Delegate
        int readdir(Pointer path, Pointer buf, Pointer filler, long offset, Pointer fi, int flags);
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
        int create(Pointer path, int mode, Pointer fi);
    }

    public interface Utimens {
        @Delegate
        int utimens(Pointer path, Pointer times, Pointer fi);
    }

    public interface Fallocate {
        @Delegate
        int fallocate(Pointer path, int mode, long offset, long length, Pointer fi);
    }

    public interface SetXattr {
        @Delegate
        int setxattr(Pointer path, Pointer name, Pointer value, long size, int flags);
    }

    public interface GetXattr {
        @Delegate
        int getxattr(Pointer path, Pointer name, Pointer value, long size);
    }

    public interface ListXattr {
        @Delegate
        int listxattr(Pointer path, Pointer list, long size);
    }

    /** removexattr: (path, name). */
    public interface RemoveXattr {
        @Delegate
        int removexattr(Pointer path, Pointer name);
    }
}
