package io.ext3ns.fuse.jnr;

import jnr.ffi.BaseStruct;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.FuseOperations;
import ru.serce.jnrfuse.struct.Timespec;

import java.util.ArrayList;
import java.util.List;

import static io.ext3ns.fuse.jnr.Upcalls.path;

/**
 * Puts callbacks that take paths and names as bytes into jnr-fuse's struct fuse_operations, over jnr-fuse's own for
 * every operation whose path or name the engine resolves (and readdir, whose names go back as bytes). jnr-fuse
 * decodes a path into a String with the JVM's charset, so $'caf\xe9' would reach the engine as "caf\uFFFD", and
 * fills readdir's names the same way; these decode with {@link io.ext3ns.fs.util.FileNames} and then call the
 * adapter's method as jnr-fuse would have. The operations left to jnr-fuse (read, write, flush, release, fsync,
 * fgetattr, ftruncate, fallocate, statfs) act on the open handle or the volume: their path only names the call in
 * the log.
 */
final class Fuse2BytePaths {
    private final FuseOperations operations;
    private final Pointer memory;
    /** Keeps the callbacks reachable as long as the adapter is (jnr-ffi frees a closure with its Java object). */
    private final List<Object> installed = new ArrayList<>();

    private Fuse2BytePaths(FuseOperations operations) {
        this.operations = operations;
        this.memory = Struct.getMemory(operations);
    }

    static List<Object> install(JnrFuseAdapter a, FuseOperations o) {
        Fuse2BytePaths p = new Fuse2BytePaths(o);
        p.put(o.getattr, Fuse2Callbacks.GetAttr.class, (path, stat) -> a.getattr(path(path), FileStat.of(stat)));
        p.put(o.readlink, Fuse2Callbacks.Readlink.class, (path, buf, size) -> a.readlink(path(path), buf, size));
        p.put(o.mknod, Fuse2Callbacks.Mknod.class, (path, mode, rdev) -> a.mknod(path(path), unsigned(mode), rdev));
        p.put(o.mkdir, Fuse2Callbacks.PathMode.class, (path, mode) -> a.mkdir(path(path), unsigned(mode)));
        p.put(o.chmod, Fuse2Callbacks.PathMode.class, (path, mode) -> a.chmod(path(path), unsigned(mode)));
        p.put(o.unlink, Fuse2Callbacks.PathOnly.class, path -> a.unlink(path(path)));
        p.put(o.rmdir, Fuse2Callbacks.PathOnly.class, path -> a.rmdir(path(path)));
        p.put(o.symlink, Fuse2Callbacks.TwoPaths.class, (target, link) -> a.symlink(path(target), path(link)));
        p.put(o.rename, Fuse2Callbacks.TwoPaths.class, (from, to) -> a.rename(path(from), path(to)));
        p.put(o.link, Fuse2Callbacks.TwoPaths.class, (existing, link) -> a.link(path(existing), path(link)));
        p.put(o.chown, Fuse2Callbacks.Chown.class, (path, uid, gid) -> a.chown(path(path), unsigned(uid),
                unsigned(gid)));
        p.put(o.truncate, Fuse2Callbacks.Truncate.class, (path, size) -> a.truncate(path(path), size));
        p.put(o.open, Fuse2Callbacks.WithFile.class, (path, fi) -> a.open(path(path), FuseFileInfo.of(fi)));
        p.put(o.opendir, Fuse2Callbacks.WithFile.class, (path, fi) -> a.opendir(path(path), FuseFileInfo.of(fi)));
        p.put(o.create, Fuse2Callbacks.Create.class, (path, mode, fi) -> a.create(path(path), unsigned(mode),
                FuseFileInfo.of(fi)));
        p.put(o.readdir, Fuse2Callbacks.Readdir.class, (path, buf, filler, offset, fi) -> a.readdir(path(path), buf,
                filler, FuseFileInfo.of(fi)));
        p.put(o.utimens, Fuse2Callbacks.Utimens.class, (path, times) -> {
            Timespec atime = Timespec.of(times);
            return a.utimens(path(path), new Timespec[] {atime, Timespec.of(times.slice(Struct.size(atime)))});
        });
        p.put(o.setxattr, Fuse2Callbacks.SetXattr.class, (path, name, value, size, flags) -> a.setxattr(path(path),
                path(name), value, size, flags));
        p.put(o.getxattr, Fuse2Callbacks.GetXattr.class, (path, name, value, size) -> a.getxattr(path(path),
                path(name), value, size));
        p.put(o.listxattr, Fuse2Callbacks.ListXattr.class, (path, list, size) -> a.listxattr(path(path), list, size));
        p.put(o.removexattr, Fuse2Callbacks.RemoveXattr.class, (path, name) -> a.removexattr(path(path),
                path(name)));
        return p.installed;
    }

    /** mode_t, uid_t, gid_t as jnr-fuse passes them: unsigned, in a long. */
    private static long unsigned(int v) {
        return v & 0xFFFF_FFFFL;
    }

    private <T> void put(BaseStruct.Func<?> slot, Class<T> type, T callback) {
        memory.putPointer(slot.offset(), operations.getRuntime().getClosureManager().getClosurePointer(type, callback));
        installed.add(callback);
    }
}
