package io.ext3ns.fuse.jnr;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.ops.FuseOps;
import io.ext3ns.fuse.ops.OpenFlags;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

import java.util.function.BiConsumer;

import static io.ext3ns.fuse.jnr.Upcalls.call;
import static io.ext3ns.fuse.jnr.Upcalls.copyLink;
import static io.ext3ns.fuse.jnr.Upcalls.fill;
import static io.ext3ns.fuse.jnr.Upcalls.nanos;
import static io.ext3ns.fuse.jnr.Upcalls.path;
import static io.ext3ns.fuse.jnr.Upcalls.run;
import static io.ext3ns.fuse.jnr.Upcalls.view;

/**
 * The libfuse 3 operations, each turned into one {@link FuseOps} call, the way {@link JnrFuseAdapter} does for
 * libfuse 2 (same errno rules, same structs for stat, statvfs and timespec). What libfuse 3 changes: getattr,
 * chmod, chown, truncate and utimens may carry the open file (fstat, ftruncate, fchmod, ...), and then the path
 * may be null (nullpath_ok: a file unlinked while open has none); rename carries flags; readdir's
 * filler takes flags; there is no fgetattr/ftruncate. Paths and names arrive and leave as bytes
 * ({@link io.ext3ns.fs.util.FileNames}). Its gain is the request size: libfuse 3 negotiates
 * FUSE_MAX_PAGES, so reads and writes arrive in 1 MiB pieces instead of libfuse 2's 128 KiB.
 */
final class Fuse3Adapter {
    /** renameat2(2)'s flags. */
    private static final int RENAME_NOREPLACE = 1;
    private static final int RENAME_EXCHANGE = 2;

    private final FuseOps ops;
    private final LibFuse3 lib;
    private final Fuse3Operations operations;
    /** What init() does with libfuse's struct fuse_conn_info and struct fuse_config before the kernel is answered. */
    private final BiConsumer<Pointer, Pointer> onInit;

    Fuse3Adapter(FuseOps ops, LibFuse3 lib, BiConsumer<Pointer, Pointer> onInit) {
        this.ops = ops;
        this.lib = lib;
        this.onInit = onInit;
        this.operations = new Fuse3Operations(Runtime.getSystemRuntime());
        register();
    }

    /** The operations struct to hand to fuse_main_real. */
    Pointer operations() {
        return Struct.getMemory(operations);
    }

    long operationsSize() {
        return Struct.size(operations);
    }

    private void register() {
        Fuse3Operations o = operations;
        o.getattr.set((p, stat, fi) -> getattr(path(p), stat, fi));
        o.readlink.set((p, buf, size) -> {
            String path = path(p);
            return call("readlink", path, () -> copyLink(ops.readlink(path), buf, size));
        });
        o.mknod.set((p, mode, rdev) -> mknod(path(p), mode, rdev));
        o.mkdir.set((p, mode) -> {
            String path = path(p);
            return run("mkdir", path, () -> ops.mkdir(path, mode, caller()));
        });
        o.unlink.set(p -> {
            String path = path(p);
            return run("unlink", path, () -> ops.unlink(path));
        });
        o.rmdir.set(p -> {
            String path = path(p);
            return run("rmdir", path, () -> ops.rmdir(path));
        });
        o.symlink.set((t, l) -> {
            String target = path(t);
            String link = path(l);
            return run("symlink", link, () -> ops.symlink(target, link, caller()));
        });
        o.rename.set((f, t, flags) -> rename(path(f), path(t), flags));
        o.link.set((e, l) -> {
            String existing = path(e);
            String link = path(l);
            return run("link", link, () -> ops.link(existing, link));
        });
        o.chmod.set((p, mode, fi) -> {
            String path = path(p);
            return run("chmod", path, () -> {
                if (fi != null) {
                    ops.chmod(Fuse3FileInfo.fh(fi), mode);
                } else {
                    ops.chmod(path, mode);
                }
            });
        });
        // uid_t arrives unsigned: (uid_t) -1, "unchanged", is 0xffffffff, which as an int is -1 again.
        o.chown.set((p, uid, gid, fi) -> {
            String path = path(p);
            return run("chown", path, () -> {
                if (fi != null) {
                    ops.chown(Fuse3FileInfo.fh(fi), uid, gid);
                } else {
                    ops.chown(path, uid, gid);
                }
            });
        });
        o.truncate.set((p, size, fi) -> truncate(path(p), size, fi));
        o.open.set((p, fi) -> open(path(p), fi));
        o.read.set((p, buf, size, offset, fi) -> call("read", path(p),
                () -> ops.read(Fuse3FileInfo.fh(fi), offset, view(buf, size))));
        o.write.set((p, buf, size, offset, fi) -> call("write", path(p),
                () -> ops.write(Fuse3FileInfo.fh(fi), offset, view(buf, size), caller())));
        o.statfs.set((p, st) -> call("statfs", path(p), () -> fill(Statvfs.of(st), ops.statfs())));
        // close(2) returns what flush returns (release's result is dropped by the kernel): write-behind errors.
        o.flush.set((p, fi) -> run("flush", path(p), () -> ops.flush(Fuse3FileInfo.fh(fi))));
        o.release.set((p, fi) -> run("release", path(p), () -> ops.release(Fuse3FileInfo.fh(fi))));
        o.fsync.set((p, datasync, fi) -> run("fsync", path(p), () -> ops.fsync(Fuse3FileInfo.fh(fi))));
        o.opendir.set((p, fi) -> {
            String path = path(p);
            return run("opendir", path, () -> Fuse3FileInfo.setFh(fi, ops.opendir(path)));
        });
        o.readdir.set((p, buf, filler, offset, fi, flags) -> readdir(path(p), buf, filler, offset, fi, flags));
        o.init.set((conn, config) -> {
            onInit.accept(conn, config);
            return null;
        });
        o.destroy.set(privateData -> run("destroy", "/", ops::destroy));
        o.create.set((p, mode, fi) -> create(path(p), mode, fi));
        o.utimens.set((p, times, fi) -> utimens(path(p), times, fi));
        o.fallocate.set((p, mode, offset, length, fi) -> fallocate(path(p), mode, offset, length, fi));
        registerXattrs(o);
    }

    private void registerXattrs(Fuse3Operations o) {
        o.setxattr.set((p, n, value, size, flags) -> {
            String path = path(p);
            String name = path(n);
            return run("setxattr", path, () -> ops.setxattr(path, name, Upcalls.bytes(value, size), flags));
        });
        o.getxattr.set((p, n, value, size) -> {
            String path = path(p);
            String name = path(n);
            return call("getxattr", path, () -> Upcalls.copyValue(ops.getxattr(path, name), value, size));
        });
        o.listxattr.set((p, list, size) -> {
            String path = path(p);
            return call("listxattr", path, () -> Upcalls.copyNames(ops.listxattr(path), list, size));
        });
        o.removexattr.set((p, n) -> {
            String path = path(p);
            String name = path(n);
            return run("removexattr", path, () -> ops.removexattr(path, name));
        });
    }

    private FuseOps.Caller caller() {
        FuseContext context = FuseContext.of(lib.fuse_get_context());
        return new FuseOps.Caller(context.uid.intValue(), context.gid.intValue(), context.umask.intValue());
    }

    int getattr(String path, Pointer stat, Pointer fi) {
        return call("getattr", path, () -> fill(FileStat.of(stat),
                fi != null ? ops.getattr(Fuse3FileInfo.fh(fi)) : ops.getattr(path)));
    }

    int truncate(String path, long size, Pointer fi) {
        return run("truncate", path, () -> {
            if (fi != null) {
                ops.truncate(Fuse3FileInfo.fh(fi), size);
            } else {
                ops.truncate(path, size);
            }
        });
    }

    /**
     * RENAME_NOREPLACE (mv asks for it) is checked here: the loop serves one request at a time, so nothing can
     * create the name between the check and the rename. RENAME_EXCHANGE swaps the two names in the engine; both
     * flags together, or any other flag (RENAME_WHITEOUT: overlayfs only), is EINVAL as the kernel answers.
     */
    int rename(String from, String to, int flags) {
        return run("rename", from, () -> {
            if (flags == RENAME_EXCHANGE) {
                ops.exchange(from, to);
                return;
            }
            if ((flags & ~RENAME_NOREPLACE) != 0) {
                throw new FsException(Errno.EINVAL, "rename flags " + flags + " not supported");
            }
            if (flags == RENAME_NOREPLACE && exists(to)) {
                throw new FsException(Errno.EEXIST, to + " exists");
            }
            ops.rename(from, to);
        });
    }

    private boolean exists(String path) throws FsException {
        try {
            ops.getattr(path);
            return true;
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    int open(String path, Pointer fi) {
        return run("open", path, () -> {
            Fuse3FileInfo.setFh(fi, ops.open(path, Fuse3FileInfo.flags(fi)));
            directIoIfWriteOnly(fi);
        });
    }

    int create(String path, int mode, Pointer fi) {
        return run("create", path, () -> {
            Fuse3FileInfo.setFh(fi, ops.create(path, mode, caller()));
            directIoIfWriteOnly(fi);
        });
    }

    /** As for libfuse 2 (see {@link JnrFuseAdapter}): write-only descriptors skip the FUSE file's page cache. */
    private static void directIoIfWriteOnly(Pointer fi) {
        if (OpenFlags.writeOnly(Fuse3FileInfo.flags(fi))) {
            Fuse3FileInfo.setDirectIo(fi);
        }
    }

    int readdir(String path, Pointer buf, Pointer filler, long offset, Pointer fi, int flags) {
        return call("readdir", path, () -> {
            try (DirFiller names = DirFiller.libfuse3(filler.address(), buf.address())) {
                for (DirEntry entry : ops.readdir(Fuse3FileInfo.fh(fi))) {
                    if (!names.add(entry.name())) {
                        return -ErrorCodes.ENOMEM();
                    }
                }
            }
            return 0;
        });
    }

    int utimens(String path, Pointer times, Pointer fi) {
        return run("utimens", path, () -> {
            Timespec atime = Timespec.of(times);
            Timespec mtime = Timespec.of(times.slice(Struct.size(atime)));
            if (fi != null) {
                ops.utimens(Fuse3FileInfo.fh(fi), nanos(atime), nanos(mtime));
            } else {
                ops.utimens(path, nanos(atime), nanos(mtime));
            }
        });
    }

    int fallocate(String path, int mode, long offset, long length, Pointer fi) {
        return run("fallocate", path, () -> ops.fallocate(Fuse3FileInfo.fh(fi), mode, offset, length));
    }

    /** dev_t's low 32 bits are the number FUSE carries (new_encode_dev). */
    int mknod(String path, int mode, long rdev) {
        return run("mknod", path, () -> ops.mknod(path, mode, (int) rdev, caller()));
    }
}
