package io.ext3ns.fuse.jnr;

import jnr.ffi.Runtime;
import jnr.ffi.BaseStruct;

import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Chmod;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Chown;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Create;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Destroy;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Fallocate;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Fsync;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.GetAttr;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.GetXattr;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.ListXattr;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.RemoveXattr;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.SetXattr;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Init;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Mkdir;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Mknod;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.PathOnly;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Readdir;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Readlink;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Rename;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Statfs;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Transfer;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Truncate;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.TwoPaths;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.Utimens;
import static io.ext3ns.fuse.jnr.Fuse3Callbacks.WithFile;

/**
 * libfuse 3's struct fuse_operations, in its order, up to fallocate (libfuse zeroes what a shorter struct leaves
 * out). A slot left unset is NULL: libfuse answers ENOSYS (locks, which the kernel then keeps locally;
 * access, which the kernel takes as allowed). The fields keep the Java callbacks reachable for as long as the
 * struct is.
 */
final class Fuse3Operations extends BaseStruct {
    final Func<GetAttr> getattr = func(GetAttr.class);
    final Func<Readlink> readlink = func(Readlink.class);
    final Func<Mknod> mknod = func(Mknod.class);
    final Func<Mkdir> mkdir = func(Mkdir.class);
    final Func<PathOnly> unlink = func(PathOnly.class);
    final Func<PathOnly> rmdir = func(PathOnly.class);
    final Func<TwoPaths> symlink = func(TwoPaths.class);
    final Func<Rename> rename = func(Rename.class);
    final Func<TwoPaths> link = func(TwoPaths.class);
    final Func<Chmod> chmod = func(Chmod.class);
    final Func<Chown> chown = func(Chown.class);
    final Func<Truncate> truncate = func(Truncate.class);
    final Func<WithFile> open = func(WithFile.class);
    final Func<Transfer> read = func(Transfer.class);
    final Func<Transfer> write = func(Transfer.class);
    final Func<Statfs> statfs = func(Statfs.class);
    final Func<WithFile> flush = func(WithFile.class);
    final Func<WithFile> release = func(WithFile.class);
    final Func<Fsync> fsync = func(Fsync.class);
    final Func<SetXattr> setxattr = func(SetXattr.class);
    final Func<GetXattr> getxattr = func(GetXattr.class);
    final Func<ListXattr> listxattr = func(ListXattr.class);
    final Func<RemoveXattr> removexattr = func(RemoveXattr.class);
    final Func<WithFile> opendir = func(WithFile.class);
    final Func<Readdir> readdir = func(Readdir.class);
    final Func<WithFile> releasedir = func(WithFile.class);
    final Func<Fsync> fsyncdir = func(Fsync.class);
    final Func<Init> init = func(Init.class);
    final Func<Destroy> destroy = func(Destroy.class);
    final Pointer access = new Pointer(); // not implemented: NULL
    final Func<Create> create = func(Create.class);
    final Pointer lock = new Pointer(); // not implemented: NULL
    final Func<Utimens> utimens = func(Utimens.class);
    final Pointer bmap = new Pointer(); // not implemented: NULL
    final Pointer ioctl = new Pointer(); // not implemented: NULL
    final Pointer poll = new Pointer(); // not implemented: NULL
    final Pointer writeBuf = new Pointer(); // not implemented: NULL
    final Pointer readBuf = new Pointer(); // not implemented: NULL
    final Pointer flock = new Pointer(); // not implemented: NULL
    final Func<Fallocate> fallocate = func(Fallocate.class);

    Fuse3Operations(Runtime runtime) {
        super(runtime);
    }
}
