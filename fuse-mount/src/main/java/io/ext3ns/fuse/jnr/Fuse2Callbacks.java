package io.ext3ns.fuse.jnr;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.Delegate;

/**
 * Native signatures of the libfuse 2.9 operations that carry a name the engine resolves (include/fuse.h,
 * FUSE_USE_VERSION 26 as jnr-fuse uses it), with every path and name as its char * ({@link Upcalls#path}): jnr-fuse's
 * own callbacks take Strings, which jnr-ffi decodes with the JVM's charset, replacing bytes that are not UTF-8.
 * mode_t, uid_t and gid_t are 32-bit, dev_t, size_t and off_t 64-bit. Public, as jnr-ffi's generated closure classes
 * (another class loader) must see them.
 */
public final class Fuse2Callbacks {
    private Fuse2Callbacks() {
    }

    public interface GetAttr {
        @Delegate
        int getattr(Pointer path, Pointer stat);
    }

    public interface Readlink {
        @Delegate
        int readlink(Pointer path, Pointer buf, long size);
    }

    public interface Mknod {
        @Delegate
        int mknod(Pointer path, int mode, long rdev);
    }

    /** mkdir and chmod. */
    public interface PathMode {
        @Delegate
        int apply(Pointer path, int mode);
    }

    /** unlink and rmdir. */
    public interface PathOnly {
        @Delegate
        int apply(Pointer path);
    }

    /** symlink, rename and link: (target, existing or old path; new path). */
    public interface TwoPaths {
        @Delegate
        int apply(Pointer from, Pointer to);
    }

    public interface Chown {
        @Delegate
        int chown(Pointer path, int uid, int gid);
    }

    public interface Truncate {
        @Delegate
        int truncate(Pointer path, long size);
    }

    /** open and opendir. */
    public interface WithFile {
        @Delegate
        int apply(Pointer path, Pointer fi);
    }

    public interface Create {
        @Delegate
        int create(Pointer path, int mode, Pointer fi);
    }

    /** filler is a fuse_fill_dir_t ({@link DirFiller#libfuse2}). */
    public interface Readdir {
        @Delegate
        int readdir(Pointer path, Pointer buf, Pointer filler, long offset, Pointer fi);
    }

    /** times: struct timespec[2], atime then mtime. */
    public interface Utimens {
        @Delegate
        int utimens(Pointer path, Pointer times);
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

    public interface RemoveXattr {
        @Delegate
        int removexattr(Pointer path, Pointer name);
    }
}
