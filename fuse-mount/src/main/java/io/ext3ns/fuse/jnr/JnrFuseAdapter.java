package io.ext3ns.fuse.jnr;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.ops.FuseOps;
import io.ext3ns.fuse.ops.OpenFlags;
import jnr.ffi.Pointer;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseContext;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

import static io.ext3ns.fuse.jnr.Upcalls.call;
import static io.ext3ns.fuse.jnr.Upcalls.copyLink;
import static io.ext3ns.fuse.jnr.Upcalls.fill;
import static io.ext3ns.fuse.jnr.Upcalls.nanos;
import static io.ext3ns.fuse.jnr.Upcalls.run;
import static io.ext3ns.fuse.jnr.Upcalls.view;

/**
 * The jnr-fuse callbacks, each turned into one {@link FuseOps} call. Every callback catches everything: an
 * {@link FsException} becomes its -errno, anything unexpected is logged and becomes -EIO (an exception escaping into
 * jffi's upcall path would be lost or worse). jnr types stay in this package.
 *
 * <p>Paths and names reach these methods decoded from their bytes by {@link Fuse2BytePaths}, not by jnr-fuse.
 *
 * <p>Not registered (libfuse answers ENOSYS, which the kernel takes as "nothing to do" for access):
 * locks, access. libfuse 2 has no rename flags: the kernel answers renameat2 with flags EINVAL
 * (docs/fuse.md).
 */
final class JnrFuseAdapter extends FuseStubFS {
    /** Offset of the bit-field word (direct_io, keep_cache, ...) in libfuse 2.9's struct fuse_file_info (LP64). */
    private static final long FILE_INFO_BITS = 20;
    private static final int DIRECT_IO_BIT = 1;
    /**
     * The bit-field word after bmap in libfuse 2.9's struct fuse_operations (it follows the 38 function pointers from
     * getattr to bmap, LP64), which jnr-fuse maps as padding and leaves 0. flag_nullpath_ok (bit 0): operations on an
     * open file come with a null path, so a file unlinked while open (hard_remove) keeps being read and written by
     * its handle instead of failing with ENOENT. flag_utime_omit_ok (bit 2): without it libfuse 2 drops a setattr that
     * changes only atime or only mtime (touch -a, touch -m) instead of passing UTIME_OMIT for the other.
     */
    private static final long OPERATIONS_FLAGS = 38 * 8;
    private static final int NULLPATH_OK_BIT = 1;
    private static final int UTIME_OMIT_OK_BIT = 1 << 2;

    private final FuseOps ops;
    private final String subtype;
    /** The callbacks taking paths as bytes ({@link Fuse2BytePaths}), kept reachable with the adapter. */
    private final java.util.List<Object> bytePaths;

    JnrFuseAdapter(FuseOps ops, String subtype) {
        this.ops = ops;
        this.subtype = subtype;
        jnr.ffi.Pointer operations = jnr.ffi.Struct.getMemory(fuseOperations);
        operations.putByte(OPERATIONS_FLAGS, (byte) (operations.getByte(OPERATIONS_FLAGS) | NULLPATH_OK_BIT
                | UTIME_OMIT_OK_BIT));
        this.bytePaths = Fuse2BytePaths.install(this, fuseOperations);
    }

    /** argv[0] of libfuse's command line, which names the program in its messages. */
    @Override
    protected String getFSName() {
        return subtype;
    }

    /** jnr-fuse's own shutdown hook would lazily unmount whatever is mounted at our mount point, later. */
    void forgetMounted() {
        mounted.set(false);
    }

    private FuseOps.Caller caller() {
        FuseContext context = getContext();
        return new FuseOps.Caller(context.uid.intValue(), context.gid.intValue(), context.umask.intValue());
    }

    // ---- attributes ----

    @Override
    public int getattr(String path, FileStat stat) {
        return call("getattr", path, () -> fill(stat, ops.getattr(path)));
    }

    @Override
    public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
        return call("fgetattr", path, () -> fill(stat, ops.getattr(fi.fh.get())));
    }

    @Override
    public int statfs(String path, Statvfs st) {
        return call("statfs", path, () -> fill(st, ops.statfs()));
    }

    @Override
    public int chmod(String path, long mode) {
        return run("chmod", path, () -> ops.chmod(path, (int) mode));
    }

    @Override
    public int chown(String path, long uid, long gid) {
        // uid_t arrives unsigned: (uid_t) -1, "unchanged", is 0xffffffff; the int cast turns it back into -1.
        return run("chown", path, () -> ops.chown(path, (int) uid, (int) gid));
    }

    @Override
    public int truncate(String path, long size) {
        return run("truncate", path, () -> ops.truncate(path, size));
    }

    @Override
    public int ftruncate(String path, long size, FuseFileInfo fi) {
        return run("ftruncate", path, () -> ops.truncate(fi.fh.get(), size));
    }

    @Override
    public int utimens(String path, Timespec[] times) {
        return run("utimens", path, () -> ops.utimens(path, nanos(times[0]), nanos(times[1])));
    }

    // ---- names ----

    @Override
    public int readlink(String path, Pointer buf, long size) {
        return call("readlink", path, () -> copyLink(ops.readlink(path), buf, size));
    }

    @Override
    public int opendir(String path, FuseFileInfo fi) {
        return run("opendir", path, () -> fi.fh.set(ops.opendir(path)));
    }

    /**
     * readdir with libfuse's fuse_fill_dir_t as it is ({@link Fuse2BytePaths} installs it): names go back as their
     * bytes, where jnr-fuse's FuseFillDir would encode them with the JVM's charset.
     */
    int readdir(String path, Pointer buf, Pointer filler, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            // Offset 0 to the filler: libfuse collects the whole listing and serves the kernel's reads from it.
            try (DirFiller names = DirFiller.libfuse2(filler.address(), buf.address())) {
                for (DirEntry entry : ops.readdir(fi.fh.get())) {
                    if (!names.add(entry.name())) {
                        return -ErrorCodes.ENOMEM();
                    }
                }
            }
            return 0;
        });
    }

    /** FIFOs, sockets and devices (regular files come through create); dev_t's low 32 bits as FUSE carries it. */
    @Override
    public int mknod(String path, long mode, long rdev) {
        return run("mknod", path, () -> ops.mknod(path, (int) mode, (int) rdev, caller()));
    }

    @Override
    public int mkdir(String path, long mode) {
        return run("mkdir", path, () -> ops.mkdir(path, (int) mode, caller()));
    }

    @Override
    public int rmdir(String path) {
        return run("rmdir", path, () -> ops.rmdir(path));
    }

    @Override
    public int unlink(String path) {
        return run("unlink", path, () -> ops.unlink(path));
    }

    @Override
    public int symlink(String target, String linkPath) {
        return run("symlink", linkPath, () -> ops.symlink(target, linkPath, caller()));
    }

    @Override
    public int rename(String from, String to) {
        return run("rename", from, () -> ops.rename(from, to));
    }

    @Override
    public int link(String existing, String newPath) {
        return run("link", newPath, () -> ops.link(existing, newPath));
    }

    // ---- open files ----

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> {
            fi.fh.set(ops.open(path, fi.flags.get()));
            directIoIfWriteOnly(fi);
            return 0;
        });
    }

    @Override
    public int create(String path, long mode, FuseFileInfo fi) {
        return run("create", path, () -> {
            fi.fh.set(ops.create(path, (int) mode, caller()));
            directIoIfWriteOnly(fi);
        });
    }

    /**
     * A descriptor opened write-only gets FUSE's direct I/O: its writes go from the writer's buffer to us without
     * first being copied into the kernel's page cache (measured, 1 GiB of 1 MiB writes then fsync, four runs each on a
     * fresh mount: 583-687 MB/s without, 797-1640 MB/s with). Nothing is lost: such a
     * descriptor cannot be mmapped or read, and every open of the file drops its cached pages (no keep_cache), so
     * readers see what was written. libfuse 2.9's struct fuse_file_info has the direct_io bit as bit 0 of the word
     * at byte 20 (flags, fh_old, writepage come first); jnr-fuse's struct does not map that bit field.
     */
    private static void directIoIfWriteOnly(FuseFileInfo fi) {
        if (OpenFlags.writeOnly(fi.flags.get())) {
            jnr.ffi.Pointer raw = jnr.ffi.Struct.getMemory(fi);
            raw.putInt(FILE_INFO_BITS, raw.getInt(FILE_INFO_BITS) | DIRECT_IO_BIT);
        }
    }

    @Override
    public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("read", path, () -> ops.read(fi.fh.get(), offset, view(buf, size)));
    }

    @Override
    public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
        return call("write", path, () -> ops.write(fi.fh.get(), offset, view(buf, size), caller()));
    }

    @Override
    public int fallocate(String path, int mode, long offset, long length, FuseFileInfo fi) {
        return run("fallocate", path, () -> ops.fallocate(fi.fh.get(), mode, offset, length));
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return run("fsync", path, () -> ops.fsync(fi.fh.get()));
    }

    /** close(2) returns what this returns (release's result is dropped by the kernel): write-behind errors. */
    @Override
    public int flush(String path, FuseFileInfo fi) {
        return run("flush", path, () -> ops.flush(fi.fh.get()));
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return run("release", path, () -> ops.release(fi.fh.get()));
    }

    // ---- extended attributes ----

    @Override
    public int getxattr(String path, String name, Pointer value, long size) {
        return call("getxattr", path, () -> Upcalls.copyValue(ops.getxattr(path, name), value, size));
    }

    @Override
    public int setxattr(String path, String name, Pointer value, long size, int flags) {
        return run("setxattr", path, () -> ops.setxattr(path, name, Upcalls.bytes(value, size), flags));
    }

    @Override
    public int listxattr(String path, Pointer list, long size) {
        return call("listxattr", path, () -> Upcalls.copyNames(ops.listxattr(path), list, size));
    }

    @Override
    public int removexattr(String path, String name) {
        return run("removexattr", path, () -> ops.removexattr(path, name));
    }

    @Override
    public void destroy(Pointer initResult) {
        run("destroy", "/", ops::destroy);
    }
}
