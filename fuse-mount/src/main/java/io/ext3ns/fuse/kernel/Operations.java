package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.StatFs;
import io.ext3ns.fs.util.FileNames;
import io.ext3ns.fuse.ops.FuseOps;
import io.ext3ns.fuse.ops.InodeOps;
import io.ext3ns.fuse.ops.OpenFlags;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;

/**
 * Answers one request (everything but INIT, which {@link KernelSession} negotiates): reads its body from the
 * {@link Request}, calls the file system by inode ({@link InodeOps}) or by open handle ({@link FuseOps}), and puts the
 * reply's body into the {@link Reply}. Returns 0 or -errno; {@link #NO_REPLY} for the requests the kernel expects no
 * answer to (FORGET, BATCH_FORGET, INTERRUPT).
 */
final class Operations {
    static final int NO_REPLY = 1;
    private static final long UTIME_NOW_NANOS = -2;
    private static final int SET_ID_BITS = 06000;

    private final FuseOps ops;
    private final InodeOps inodes;
    private final NodeTable nodes;
    private final DirHandles dirs = new DirHandles();
    private final Timeouts timeouts;
    private final int openFlags;
    private final Notifier notifier;

    /** {@code openFlags}: FOPEN_* bits every open reply carries (kernel_cache, direct_io). */
    Operations(FuseOps ops, NodeTable nodes, Timeouts timeouts, int openFlags, Notifier notifier) {
        this.notifier = notifier;
        this.ops = ops;
        this.inodes = ops.inodes();
        this.nodes = nodes;
        this.timeouts = timeouts;
        this.openFlags = openFlags;
    }

    int handle(Request r, Reply out) throws FsException {
        long ino = NodeTable.inoOf(r.nodeid);
        switch (r.opcode) {
            case FuseProtocol.LOOKUP -> entry(out, inodes.lookup(ino, r.name()));
            case FuseProtocol.FORGET -> {
                nodes.forget(r.nodeid, r.u64());
                return NO_REPLY;
            }
            case FuseProtocol.BATCH_FORGET -> {
                batchForget(r);
                return NO_REPLY;
            }
            case FuseProtocol.INTERRUPT -> {
                return NO_REPLY; // every request here finishes promptly; its answer is the interrupt's answer
            }
            case FuseProtocol.GETATTR -> getattr(r, ino, out);
            case FuseProtocol.SETATTR -> setattr(r, ino, out);
            case FuseProtocol.READLINK -> out.buf.put(FileNames.encode(inodes.readlink(ino)));
            case FuseProtocol.SYMLINK -> {
                String name = r.name();
                String target = r.name();
                entry(out, inodes.symlink(ino, name, target, caller(r, 0)));
            }
            case FuseProtocol.MKNOD -> {
                int mode = r.u32();
                int rdev = r.u32();
                int umask = r.u32();
                r.skip(4);
                entry(out, inodes.mknod(ino, r.name(), mode, rdev, caller(r, umask)));
            }
            case FuseProtocol.MKDIR -> {
                int mode = r.u32();
                int umask = r.u32();
                entry(out, inodes.mkdir(ino, r.name(), mode, caller(r, umask)));
            }
            case FuseProtocol.UNLINK -> inodes.unlink(ino, r.name());
            case FuseProtocol.RMDIR -> inodes.rmdir(ino, r.name());
            case FuseProtocol.RENAME -> {
                long newDir = NodeTable.inoOf(r.u64());
                inodes.rename(ino, r.name(), newDir, r.name());
            }
            case FuseProtocol.RENAME2 -> rename2(r, ino);
            case FuseProtocol.LINK -> {
                long old = NodeTable.inoOf(r.u64());
                entry(out, inodes.link(old, ino, r.name()));
            }
            case FuseProtocol.OPEN -> {
                int flags = r.u32();
                openOut(out, inodes.open(ino, flags), flags);
            }
            case FuseProtocol.READ -> read(r, out);
            case FuseProtocol.WRITE -> write(r, out);
            case FuseProtocol.STATFS -> statfs(out);
            case FuseProtocol.RELEASE -> {
                long fh = r.u64();
                ops.release(fh);
            }
            case FuseProtocol.FLUSH -> ops.flush(r.u64());
            case FuseProtocol.FSYNC -> ops.fsync(r.u64());
            case FuseProtocol.FSYNCDIR, FuseProtocol.ACCESS -> {
                // directories are written through the journal with everything else; access: default_permissions
            }
            case FuseProtocol.SETXATTR -> setxattr(r, ino);
            case FuseProtocol.GETXATTR -> {
                int size = r.u32();
                r.skip(4);
                sized(out, size, inodes.getxattr(ino, xattrName(r)));
            }
            case FuseProtocol.LISTXATTR -> {
                int size = r.u32();
                r.skip(4);
                sized(out, size, nameList(inodes.listxattr(ino)));
            }
            case FuseProtocol.REMOVEXATTR -> inodes.removexattr(ino, xattrName(r));
            case FuseProtocol.OPENDIR -> {
                if (!inodes.getattr(ino).isDirectory()) {
                    throw new FsException(Errno.ENOTDIR, "not a directory");
                }
                out.u64(dirs.open(ino));
                out.u32(0);
                out.u32(0);
            }
            case FuseProtocol.READDIR -> readdir(r, out, false);
            case FuseProtocol.READDIRPLUS -> readdir(r, out, true);
            case FuseProtocol.RELEASEDIR -> dirs.release(r.u64());
            case FuseProtocol.CREATE -> create(r, ino, out);
            case FuseProtocol.FALLOCATE -> {
                long fh = r.u64();
                long offset = r.u64();
                long length = r.u64();
                ops.fallocate(fh, r.u32(), offset, length);
            }
            case FuseProtocol.DESTROY -> {
                // the session writes back and releases once its workers stop (also when no DESTROY comes)
            }
            default -> throw new FsException(Errno.ENOSYS, "FUSE opcode " + r.opcode);
        }
        return 0;
    }

    private FuseOps.Caller caller(Request r, int umask) {
        return new FuseOps.Caller(r.uid, r.gid, umask);
    }

    private void entry(Reply out, Attr a) {
        out.entry(nodes.looked(a.ino()), a, timeouts);
    }

    /**
     * As the libfuse transports do: a write-only descriptor skips the kernel's page cache for this file (its writes
     * go to our write-behind whole, and in parallel), measured the faster way for sequential writes.
     */
    private void openOut(Reply out, long fh, int flags) {
        out.u64(fh);
        out.u32(openFlags | (OpenFlags.writeOnly(flags)
                ? FuseProtocol.FOPEN_DIRECT_IO | FuseProtocol.FOPEN_PARALLEL_DIRECT_WRITES : 0));
        out.u32(0);
    }

    private void batchForget(Request r) throws FsException {
        int count = r.u32();
        r.skip(4);
        for (int i = 0; i < count; i++) { // each entry is read checked against the request's length
            long node = r.u64();
            nodes.forget(node, r.u64());
        }
    }

    private void getattr(Request r, long ino, Reply out) throws FsException {
        int flags = r.u32();
        r.skip(4);
        long fh = r.u64();
        // An open file may have lost its last name: fstat goes by the handle.
        out.attrOut((flags & FuseProtocol.GETATTR_FH) != 0 ? ops.getattr(fh) : inodes.getattr(ino), timeouts);
    }

    private void setattr(Request r, long ino, Reply out) throws FsException {
        int valid = r.u32();
        r.skip(4);
        long fh = r.u64();
        long size = r.u64();
        r.skip(8); // lock_owner
        long atime = r.u64();
        long mtime = r.u64();
        r.skip(8); // ctime: the engine sets it
        int atimensec = r.u32();
        int mtimensec = r.u32();
        r.skip(4);
        int mode = r.u32();
        r.skip(4);
        int uid = r.u32();
        int gid = r.u32();
        if ((valid & FuseProtocol.FATTR_FH) != 0) {
            ino = inodes.inoOf(fh);
        }
        if ((valid & FuseProtocol.FATTR_MODE) != 0) {
            inodes.chmod(ino, mode);
        }
        if ((valid & (FuseProtocol.FATTR_UID | FuseProtocol.FATTR_GID)) != 0) {
            inodes.chown(ino, (valid & FuseProtocol.FATTR_UID) != 0 ? uid : -1,
                    (valid & FuseProtocol.FATTR_GID) != 0 ? gid : -1);
        }
        if ((valid & FuseProtocol.FATTR_SIZE) != 0) {
            if (size < 0) {
                throw new FsException(Errno.EINVAL, "negative size");
            }
            inodes.truncate(ino, size);
        }
        long a = time(valid, FuseProtocol.FATTR_ATIME, FuseProtocol.FATTR_ATIME_NOW, atime, atimensec);
        long m = time(valid, FuseProtocol.FATTR_MTIME, FuseProtocol.FATTR_MTIME_NOW, mtime, mtimensec);
        if (a != FuseOps.TIME_OMIT || m != FuseOps.TIME_OMIT) {
            long now = a == UTIME_NOW_NANOS || m == UTIME_NOW_NANOS ? nowNanos() : 0;
            inodes.utimens(ino, a == UTIME_NOW_NANOS ? now : a, m == UTIME_NOW_NANOS ? now : m);
        }
        out.attrOut(inodes.getattr(ino), timeouts);
    }

    private static long time(int valid, int set, int now, long seconds, int nanos) {
        if ((valid & set) == 0) {
            return FuseOps.TIME_OMIT;
        }
        return (valid & now) != 0 ? UTIME_NOW_NANOS : seconds * 1_000_000_000L + nanos;
    }

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private void rename2(Request r, long ino) throws FsException {
        long newDir = NodeTable.inoOf(r.u64());
        int flags = r.u32();
        r.skip(4);
        String name = r.name();
        String newName = r.name();
        if ((flags & ~(FuseProtocol.RENAME_NOREPLACE | FuseProtocol.RENAME_EXCHANGE)) != 0
                || flags == (FuseProtocol.RENAME_NOREPLACE | FuseProtocol.RENAME_EXCHANGE)) {
            throw new FsException(Errno.EINVAL, "renameat2 flags " + flags);
        }
        if ((flags & FuseProtocol.RENAME_EXCHANGE) != 0) {
            inodes.exchange(ino, name, newDir, newName);
            return;
        }
        // The kernel holds the directories' locks for the call, so nothing of ours adds the name in between.
        if ((flags & FuseProtocol.RENAME_NOREPLACE) != 0 && inodes.exists(newDir, newName)) {
            throw new FsException(Errno.EEXIST, "renameat2 RENAME_NOREPLACE: the target exists");
        }
        inodes.rename(ino, name, newDir, newName);
    }

    private void create(Request r, long parent, Reply out) throws FsException {
        int flags = r.u32(); // a new file, opened for writing here whatever they say; O_EXCL is the kernel's check
        int mode = r.u32();
        int umask = r.u32();
        r.skip(4);
        InodeOps.Created c = inodes.create(parent, r.name(), mode, caller(r, umask));
        entry(out, c.attr());
        openOut(out, c.fh(), flags);
    }

    private void read(Request r, Reply out) throws FsException {
        long fh = r.u64();
        long offset = r.u64();
        int size = r.u32();
        if (size < 0 || size > out.room()) {
            throw new FsException(Errno.EINVAL, "read of " + Integer.toUnsignedString(size) + " bytes");
        }
        ByteBuffer dst = out.buf.slice(out.buf.position(), size);
        int n = ops.read(fh, offset, dst);
        out.buf.position(out.buf.position() + n);
    }

    private void write(Request r, Reply out) throws FsException {
        long fh = r.u64();
        long offset = r.u64();
        int size = r.u32();
        r.skip(4 + 8 + 4 + 4); // write_flags, lock_owner, flags, padding
        // A non-root writer may clear set-id bits (FileSystemOps.write): the kernel's cached mode must go then.
        long setIdIno = r.uid != 0 ? inodes.inoOf(fh) : 0;
        boolean setId = setIdIno != 0 && (inodes.getattr(setIdIno).mode() & SET_ID_BITS) != 0;
        int n = ops.write(fh, offset, r.slice(size), caller(r, 0));
        if (setId) {
            notifier.invalidateAttributes(NodeTable.nodeOf(setIdIno));
        }
        out.u32(n);
        out.u32(0);
    }

    private void statfs(Reply out) throws FsException {
        StatFs s = ops.statfs();
        out.u64(s.totalBlocks());
        out.u64(s.freeBlocks());
        out.u64(s.availableBlocks());
        out.u64(s.totalInodes());
        out.u64(s.freeInodes());
        out.u32(s.blockSize());
        out.u32(s.maxNameLength());
        out.u32(s.blockSize());
        out.u32(0);
        out.zeros(24);
    }

    private void setxattr(Request r, long ino) throws FsException {
        int size = r.u32();
        int flags = r.u32();
        String name = xattrName(r);
        inodes.setxattr(ino, name, r.bytes(size), flags);
    }

    /** Attribute names are bytes like file names: kept byte for byte through the surrogate-escape codec. */
    private static String xattrName(Request r) throws FsException {
        return r.name();
    }

    private static byte[] nameList(List<String> names) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (String n : names) {
            b.writeBytes(FileNames.encode(n));
            b.write(0);
        }
        return b.toByteArray();
    }

    /** getxattr/listxattr: a size probe (0) learns the length; a buffer too small is ERANGE. */
    private static void sized(Reply out, int size, byte[] value) throws FsException {
        if (size == 0) {
            out.u32(value.length);
            out.u32(0);
        } else if (Integer.toUnsignedLong(size) < value.length) {
            throw new FsException(Errno.ERANGE, "value of " + value.length + " bytes");
        } else {
            out.buf.put(value);
        }
    }

    private void readdir(Request r, Reply out, boolean plus) throws FsException {
        long fh = r.u64();
        long offset = r.u64();
        int size = r.u32();
        DirHandles.Dir dir = dirs.get(fh);
        if (offset == 0 || dir.entries == null) {
            dir.entries = inodes.readdir(dir.ino);
        }
        List<DirEntry> entries = dir.entries;
        int limit = out.buf.position() + Math.min(Math.max(size, 0), out.room());
        for (long i = Math.max(offset, 0); i < entries.size(); i++) {
            DirEntry e = entries.get((int) i);
            byte[] name = FileNames.encode(e.name());
            int direntLen = align8(FuseProtocol.DIRENT_NAME_OFFSET + name.length);
            int len = direntLen + (plus ? FuseProtocol.ENTRY_OUT : 0);
            if (out.buf.position() + len > limit) {
                break;
            }
            if (plus) {
                if (e.name().equals(".") || e.name().equals("..")) {
                    out.zeros(FuseProtocol.ENTRY_OUT); // node id 0: no entry, only the name
                } else {
                    Attr a;
                    try {
                        a = inodes.getattr(e.ino());
                    } catch (FsException gone) {
                        continue; // removed since the listing was taken
                    }
                    entry(out, a);
                }
            }
            out.u64(e.ino());
            out.u64(i + 1);
            out.u32(name.length);
            out.u32(direntType(e.fileType()));
            out.buf.put(name);
            out.zeros(direntLen - FuseProtocol.DIRENT_NAME_OFFSET - name.length);
        }
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    /** ext2's directory file type to the DT_* value of readdir(3). */
    private static int direntType(int ext2Type) {
        return switch (ext2Type) {
            case 1 -> 8; // DT_REG
            case 2 -> 4; // DT_DIR
            case 3 -> 2; // DT_CHR
            case 4 -> 6; // DT_BLK
            case 5 -> 1; // DT_FIFO
            case 6 -> 12; // DT_SOCK
            case 7 -> 10; // DT_LNK
            default -> 0;
        };
    }
}
