package io.ext3ns.fuse.ops;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;

import java.util.List;

/**
 * The inode-based operations of the low-level FUSE API, for a transport that speaks the kernel's protocol itself
 * (io.ext3ns.fuse.kernel): the kernel names files by inode, so nothing here resolves paths. It shares the open-file
 * table, block reader and xattr policy of the {@link FileSystemOps} it belongs to, so the fh-based operations
 * (read, write, flush, fsync, release, fallocate, getattr/chmod/chown/truncate/utimens by fh) are that object's,
 * and its {@link FuseOps#destroy} releases what a kernel session left open.
 */
public final class InodeOps {
    private static final int PERMISSION_BITS = 07777;

    private final FileSystem fs;
    private final HandleTable handles;
    private final XattrPolicy xattrs;

    InodeOps(FileSystem fs, HandleTable handles, XattrPolicy xattrs) {
        this.fs = fs;
        this.handles = handles;
        this.xattrs = xattrs;
    }

    /** A new name and its open file, for FUSE_CREATE. */
    public record Created(Attr attr, long fh) {
    }

    public Attr lookup(long parent, String name) throws FsException {
        return fs.getattr(fs.lookup(parent, name));
    }

    /** True when {@code name} exists in {@code parent} (renameat2's RENAME_NOREPLACE). */
    public boolean exists(long parent, String name) throws FsException {
        try {
            fs.lookup(parent, name);
            return true;
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT) {
                return false;
            }
            throw e;
        }
    }

    public Attr getattr(long ino) throws FsException {
        return fs.getattr(ino);
    }

    public void chmod(long ino, int mode) throws FsException {
        fs.chmod(ino, mode & PERMISSION_BITS);
        xattrs.chmodded(ino, mode & PERMISSION_BITS);
    }

    /** -1 leaves uid or gid unchanged. */
    public void chown(long ino, int uid, int gid) throws FsException {
        if (uid == -1 || gid == -1) {
            Attr now = fs.getattr(ino);
            uid = uid == -1 ? now.uid() : uid;
            gid = gid == -1 ? now.gid() : gid;
        }
        fs.chown(ino, uid, gid);
    }

    public void truncate(long ino, long size) throws FsException {
        fs.truncate(ino, size);
    }

    /** Times in nanoseconds since the epoch, or {@link FuseOps#TIME_OMIT}. */
    public void utimens(long ino, long atimeNanos, long mtimeNanos) throws FsException {
        fs.utimens(ino, atimeNanos, mtimeNanos);
    }

    public String readlink(long ino) throws FsException {
        return fs.readlink(ino);
    }

    public List<DirEntry> readdir(long ino) throws FsException {
        return fs.readdir(ino);
    }

    public Attr mkdir(long parent, String name, int mode, FuseOps.Caller caller) throws FsException {
        XattrPolicy.Inherited acl = xattrs.inherit(parent, mode & PERMISSION_BITS, true, caller.umask());
        long ino = fs.mkdir(parent, name, acl.mode(), caller.uid(), caller.gid());
        xattrs.apply(ino, acl);
        return fs.getattr(ino);
    }

    public Attr mknod(long parent, String name, int mode, int rdev, FuseOps.Caller caller) throws FsException {
        XattrPolicy.Inherited acl = xattrs.inherit(parent, mode & PERMISSION_BITS, false, caller.umask());
        long ino = fs.mknod(parent, name, (mode & ~PERMISSION_BITS) | (acl.mode() & PERMISSION_BITS), rdev,
                caller.uid(), caller.gid());
        xattrs.apply(ino, acl);
        return fs.getattr(ino);
    }

    public Created create(long parent, String name, int mode, FuseOps.Caller caller) throws FsException {
        XattrPolicy.Inherited acl = xattrs.inherit(parent, mode & PERMISSION_BITS, false, caller.umask());
        long ino = fs.create(parent, name, acl.mode(), caller.uid(), caller.gid());
        xattrs.apply(ino, acl);
        long fh = handles.add(new HandleTable.Open(fs.open(ino, true)));
        return new Created(fs.getattr(ino), fh);
    }

    public Attr symlink(long parent, String name, String target, FuseOps.Caller caller) throws FsException {
        return fs.getattr(fs.symlink(parent, name, target, caller.uid(), caller.gid()));
    }

    public Attr link(long ino, long newParent, String newName) throws FsException {
        fs.link(ino, newParent, newName);
        return fs.getattr(ino);
    }

    public void unlink(long parent, String name) throws FsException {
        fs.unlink(parent, name);
    }

    public void rmdir(long parent, String name) throws FsException {
        fs.rmdir(parent, name);
    }

    public void rename(long parent, String name, long newParent, String newName) throws FsException {
        fs.rename(parent, name, newParent, newName);
    }

    public void exchange(long parent, String name, long newParent, String newName) throws FsException {
        fs.exchange(parent, name, newParent, newName);
    }

    /** open(2) of an existing file with its {@link OpenFlags}; O_TRUNC cuts it to 0 first. Returns the handle. */
    public long open(long ino, int flags) throws FsException {
        boolean write = OpenFlags.writes(flags);
        FileHandle handle = fs.open(ino, write);
        if (OpenFlags.truncates(flags)) {
            try {
                fs.truncate(ino, 0);
            } catch (FsException e) {
                fs.release(handle);
                throw e;
            }
        }
        return handles.add(new HandleTable.Open(handle));
    }

    /** The inode an open handle reads and writes. */
    public long inoOf(long fh) throws FsException {
        return handles.get(fh).handle().ino();
    }

    public byte[] getxattr(long ino, String name) throws FsException {
        return xattrs.get(ino, name);
    }

    public void setxattr(long ino, String name, byte[] value, int flags) throws FsException {
        xattrs.set(ino, name, value, flags);
    }

    public List<String> listxattr(long ino) throws FsException {
        return xattrs.list(ino);
    }

    public void removexattr(long ino, String name) throws FsException {
        xattrs.remove(ino, name);
    }
}
