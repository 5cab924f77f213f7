package io.ext3ns.fuse.ops;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.StatFs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@link FuseOps} over the inode-based engine: resolves paths to inodes (through a {@link PathCache}), keeps the
 * engine's open files in a {@link HandleTable}; reads copy from the engine's block cache ({@code fs.read}).
 *
 * <p>Why a read-write lock: a path resolved just before a rename or unlink must not be put into the cache after that
 * rename or unlink invalidated it. Resolutions (which fill the cache) share the lock; the operations that take a name
 * away (unlink, rmdir, rename) hold it exclusively while they change the engine and invalidate. Operations that only
 * add names or touch data need no lock: the cache holds no negative entries.
 */
public final class FileSystemOps implements FuseOps {
    private static final Logger log = LoggerFactory.getLogger(FileSystemOps.class);
    private static final int PERMISSION_BITS = 07777;
    private static final int PATH_CACHE_CAPACITY = 200_000;
    private static final String LIBFUSE_HIDDEN = ".fuse_hidden";

    private final FileSystem fs;
    private final PathCache paths = new PathCache(PATH_CACHE_CAPACITY);
    private final HandleTable handles = new HandleTable();
    private final ReadWriteLock namespace = new ReentrantReadWriteLock();
    private final XattrPolicy xattrs;
    private final InodeOps inodes;

    /** With ext3's default mount options acl and user_xattr. */
    public FileSystemOps(FileSystem fs) {
        this(fs, true, true);
    }

    /** {@code acl} and {@code userXattr}: ext3's mount options of those names. */
    public FileSystemOps(FileSystem fs, boolean acl, boolean userXattr) {
        this.fs = fs;
        this.xattrs = new XattrPolicy(fs, acl, userXattr);
        this.inodes = new InodeOps(fs, handles, xattrs);
    }

    /** The same file system by inode, for a transport that speaks the kernel's inode-based protocol itself. */
    @Override
    public InodeOps inodes() {
        return inodes;
    }

    // ---- path resolution ----

    /** A path split into its directory and last component. */
    private record Split(String parent, String name) {
        static Split of(String path) throws FsException {
            int slash = path.lastIndexOf('/');
            if (slash < 0 || slash == path.length() - 1) {
                throw new FsException(Errno.EINVAL, "not a path to a name: \"" + path + "\"");
            }
            return new Split(slash == 0 ? "/" : path.substring(0, slash), path.substring(slash + 1));
        }
    }

    private long resolve(String path) throws FsException {
        namespace.readLock().lock();
        try {
            return resolveLocked(path);
        } finally {
            namespace.readLock().unlock();
        }
    }

    private long resolveLocked(String path) throws FsException {
        if (path.equals("/")) {
            return FileSystem.ROOT_INO;
        }
        Long cached = paths.get(path);
        if (cached != null) {
            return cached;
        }
        Split split = Split.of(path);
        long ino = fs.lookup(resolveLocked(split.parent()), split.name());
        paths.put(path, ino);
        return ino;
    }

    private long resolveParent(String path) throws FsException {
        return resolve(Split.of(path).parent());
    }

    // ---- attributes and names ----

    @Override
    public Attr getattr(String path) throws FsException {
        return fs.getattr(resolve(path));
    }

    @Override
    public Attr getattr(long fh) throws FsException {
        return fs.getattr(inoOf(fh));
    }

    @Override
    public String readlink(String path) throws FsException {
        return fs.readlink(resolve(path));
    }

    @Override
    public List<DirEntry> readdir(String path) throws FsException {
        return listed(fs.readdir(resolve(path)));
    }

    @Override
    public long opendir(String path) throws FsException {
        long ino = resolve(path);
        if (!fs.getattr(ino).isDirectory()) {
            throw new FsException(Errno.ENOTDIR, path + " is not a directory");
        }
        return ino;
    }

    @Override
    public List<DirEntry> readdir(long dirHandle) throws FsException {
        return listed(fs.readdir(dirHandle));
    }

    /**
     * A listing without libfuse's hidden names. libfuse 3's high-level API keeps a file unlinked while open under
     * {@value #LIBFUSE_HIDDEN}* instead of unlinking it (its hard_remove would cost fstat of such files: ESTALE), so
     * that name stands for a file the kernel's ext3 would no longer show.
     */
    private static List<DirEntry> listed(List<DirEntry> entries) {
        if (entries.stream().noneMatch(e -> e.name().startsWith(LIBFUSE_HIDDEN))) {
            return entries;
        }
        return entries.stream().filter(e -> !e.name().startsWith(LIBFUSE_HIDDEN)).toList();
    }

    @Override
    public void mkdir(String path, int mode, Caller caller) throws FsException {
        long parent = resolveParent(path);
        XattrPolicy.Inherited acl = xattrs.inherit(parent, mode & PERMISSION_BITS, true, caller.umask());
        long ino = fs.mkdir(parent, Split.of(path).name(), acl.mode(), caller.uid(), caller.gid());
        xattrs.apply(ino, acl);
    }

    @Override
    public void symlink(String target, String linkPath, Caller caller) throws FsException {
        fs.symlink(resolveParent(linkPath), Split.of(linkPath).name(), target, caller.uid(), caller.gid());
    }

    @Override
    public void link(String existing, String newPath) throws FsException {
        fs.link(resolve(existing), resolveParent(newPath), Split.of(newPath).name());
    }

    @Override
    public void rmdir(String path) throws FsException {
        removeName(path, true);
    }

    @Override
    public void unlink(String path) throws FsException {
        removeName(path, false);
    }

    private void removeName(String path, boolean directory) throws FsException {
        Split split = Split.of(path);
        namespace.writeLock().lock();
        try {
            long parent = resolveLocked(split.parent());
            if (directory) {
                rmdir(parent, split.name());
            } else {
                fs.unlink(parent, split.name());
            }
        } finally {
            paths.invalidateTree(path);
            namespace.writeLock().unlock();
        }
    }

    /**
     * rmdir(2) of a directory whose only names are libfuse's hidden ones (files unlinked while open, see
     * {@link #listed}) succeeds, as on ext3: those names go first (the open files stay on the engine's orphan list).
     */
    private void rmdir(long parent, String name) throws FsException {
        try {
            fs.rmdir(parent, name);
        } catch (FsException e) {
            if (e.errno() != Errno.ENOTEMPTY) {
                throw e;
            }
            long dir = fs.lookup(parent, name);
            List<String> names = fs.readdir(dir).stream().map(DirEntry::name)
                    .filter(n -> !n.equals(".") && !n.equals("..")).toList();
            if (names.isEmpty() || !names.stream().allMatch(n -> n.startsWith(LIBFUSE_HIDDEN))) {
                throw e;
            }
            for (String hidden : names) {
                fs.unlink(dir, hidden);
            }
            fs.rmdir(parent, name);
        }
    }

    @Override
    public void rename(String from, String to) throws FsException {
        Split src = Split.of(from);
        Split dst = Split.of(to);
        namespace.writeLock().lock();
        try {
            fs.rename(resolveLocked(src.parent()), src.name(), resolveLocked(dst.parent()), dst.name());
        } finally {
            paths.invalidateTree(from);
            paths.invalidateTree(to);
            namespace.writeLock().unlock();
        }
    }

    @Override
    public void chmod(String path, int mode) throws FsException {
        long ino = resolve(path);
        fs.chmod(ino, mode & PERMISSION_BITS);
        xattrs.chmodded(ino, mode & PERMISSION_BITS);
    }

    @Override
    public void chmod(long fh, int mode) throws FsException {
        fs.chmod(inoOf(fh), mode & PERMISSION_BITS);
    }

    @Override
    public void chown(String path, int uid, int gid) throws FsException {
        chownIno(resolve(path), uid, gid);
    }

    @Override
    public void chown(long fh, int uid, int gid) throws FsException {
        chownIno(inoOf(fh), uid, gid);
    }

    private void chownIno(long ino, int uid, int gid) throws FsException {
        inodes.chown(ino, uid, gid);
    }

    @Override
    public void truncate(String path, long size) throws FsException {
        truncateIno(resolve(path), size);
    }

    @Override
    public void truncate(long fh, long size) throws FsException {
        truncateIno(inoOf(fh), size);
    }

    private void truncateIno(long ino, long size) throws FsException {
        fs.truncate(ino, size);
    }

    @Override
    public void utimens(String path, long atimeNanos, long mtimeNanos) throws FsException {
        fs.utimens(resolve(path), atimeNanos, mtimeNanos);
    }

    @Override
    public void utimens(long fh, long atimeNanos, long mtimeNanos) throws FsException {
        fs.utimens(inoOf(fh), atimeNanos, mtimeNanos);
    }

    private long inoOf(long fh) throws FsException {
        return handles.get(fh).handle().ino();
    }

    @Override
    public StatFs statfs() throws FsException {
        return fs.statfs();
    }

    // ---- open files ----

    @Override
    public long open(String path, int flags) throws FsException {
        return inodes.open(resolve(path), flags);
    }

    @Override
    public long create(String path, int mode, Caller caller) throws FsException {
        long parent = resolveParent(path);
        XattrPolicy.Inherited acl = xattrs.inherit(parent, mode & PERMISSION_BITS, false, caller.umask());
        long ino = fs.create(parent, Split.of(path).name(), acl.mode(), caller.uid(), caller.gid());
        xattrs.apply(ino, acl);
        return handles.add(new HandleTable.Open(fs.open(ino, true)));
    }

    @Override
    public int read(long fh, long offset, ByteBuffer dst) throws FsException {
        // FUSE (without direct_io) takes a short read as end of file; the engine's read fills dst up to the end of
        // the file (Ext3FileSystem/FileData.read: copies from the block cache, reads ahead per handle), so one call
        // is a complete answer.
        return fs.read(handles.get(fh).handle(), offset, dst);
    }

    @Override
    public int write(long fh, long offset, ByteBuffer src, Caller caller) throws FsException {
        FileHandle handle = handles.get(fh).handle();
        if (caller.uid() != 0) { // root stands for CAP_FSETID, which keeps the bits
            fs.clearSetIdForWrite(handle.ino(), caller.gid());
        }
        return fs.write(handle, offset, src);
    }

    @Override
    public void fallocate(long fh, int mode, long offset, long length) throws FsException {
        FileHandle handle = handles.get(fh).handle();
        fs.fallocate(handle, mode, offset, length);
    }

    @Override
    public void fsync(long fh) throws FsException {
        fs.fsync(handles.get(fh).handle());
    }

    @Override
    public void flush(long fh) throws FsException {
        FileHandle handle = handles.get(fh).handle();
        if (handle.writable()) {
            fs.flush(handle);
        }
    }

    @Override
    public void release(long fh) throws FsException {
        close(handles.remove(fh));
    }

    private void close(HandleTable.Open open) throws FsException {
        fs.release(open.handle());
    }

    // ---- special files and renameat2's exchange ----

    @Override
    public void mknod(String path, int mode, int rdev, Caller caller) throws FsException {
        // The umask (and a default ACL) applies here, not in the kernel: the mount asks for DONT_MASK.
        long parent = resolveParent(path);
        XattrPolicy.Inherited acl = xattrs.inherit(parent, mode & PERMISSION_BITS, false, caller.umask());
        long ino = fs.mknod(parent, Split.of(path).name(), (mode & ~07777) | (acl.mode() & 07777), rdev,
                caller.uid(), caller.gid());
        xattrs.apply(ino, acl);
    }

    @Override
    public void exchange(String a, String b) throws FsException {
        Split x = Split.of(a);
        Split y = Split.of(b);
        namespace.writeLock().lock();
        try {
            fs.exchange(resolveLocked(x.parent()), x.name(), resolveLocked(y.parent()), y.name());
        } finally {
            paths.invalidateTree(a);
            paths.invalidateTree(b);
            namespace.writeLock().unlock();
        }
    }

    // ---- extended attributes ----

    @Override
    public byte[] getxattr(String path, String name) throws FsException {
        return xattrs.get(resolve(path), name);
    }

    @Override
    public void setxattr(String path, String name, byte[] value, int flags) throws FsException {
        xattrs.set(resolve(path), name, value, flags);
    }

    @Override
    public List<String> listxattr(String path) throws FsException {
        return xattrs.list(resolve(path));
    }

    @Override
    public void removexattr(String path, String name) throws FsException {
        xattrs.remove(resolve(path), name);
    }

    @Override
    public void destroy() {
        for (HandleTable.Open left : handles.drain()) {
            try {
                close(left);
            } catch (FsException | RuntimeException e) {
                log.warn("releasing inode {} at unmount failed: {}", left.handle().ino(), e.toString());
            }
        }
        try {
            fs.sync();
        } catch (IOException | RuntimeException e) {
            log.error("writing back the file system at unmount failed", e);
        }
    }
}
