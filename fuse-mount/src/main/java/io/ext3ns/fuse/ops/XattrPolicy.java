package io.ext3ns.fuse.ops;

import io.ext3ns.fs.acl.PosixAcl;
import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.XattrName;

import java.util.ArrayList;
import java.util.List;

/**
 * What ext3's {@code acl} and {@code user_xattr} mount options mean (both on by default, as the kernel mounts
 * ext3), on top of the engine's attribute store, as Linux's fs/posix_acl.c and fs/ext4/acl.c do it:
 * <ul>
 * <li>with an option off, its namespace answers EOPNOTSUPP and is left out of listxattr;</li>
 * <li>setting an access ACL sets the mode it implies, and one the mode alone expresses is not stored;</li>
 * <li>chmod rewrites the access ACL's owner, mask (or group) and other entries;</li>
 * <li>a new file or directory takes its directory's default ACL (masked by the mode asked for) instead of the
 *     umask; a new directory also inherits the default ACL itself.</li>
 * </ul>
 */
final class XattrPolicy {
    private final FileSystem fs;
    private final boolean acl;
    private final boolean userXattr;

    XattrPolicy(FileSystem fs, boolean acl, boolean userXattr) {
        this.fs = fs;
        this.acl = acl;
        this.userXattr = userXattr;
    }

    private boolean shown(String name) {
        if (name.startsWith("user.")) {
            return userXattr;
        }
        if (name.equals(XattrName.ACL_ACCESS) || name.equals(XattrName.ACL_DEFAULT)) {
            return acl;
        }
        return true;
    }

    private void requireShown(String name) throws FsException {
        if (!shown(name)) {
            throw new FsException(Errno.EOPNOTSUPP, name + ": mounted without " + (name.startsWith("user.")
                    ? "user_xattr" : "acl"));
        }
    }

    byte[] get(long ino, String name) throws FsException {
        requireShown(name);
        return fs.getxattr(ino, name);
    }

    List<String> list(long ino) throws FsException {
        List<String> out = new ArrayList<>();
        for (String name : fs.listxattr(ino)) {
            if (shown(name)) {
                out.add(name);
            }
        }
        return out;
    }

    void set(long ino, String name, byte[] value, int flags) throws FsException {
        requireShown(name);
        boolean access = name.equals(XattrName.ACL_ACCESS);
        if (!access && !name.equals(XattrName.ACL_DEFAULT)) {
            fs.setxattr(ino, name, value, flags);
            return;
        }
        PosixAcl parsed = PosixAcl.parse(value);
        Attr attr = fs.getattr(ino);
        if (!access) {
            if ((attr.mode() & 0170000) != 0040000) {
                throw new FsException(Errno.EACCES, "a default ACL is only for directories");
            }
            fs.setxattr(ino, name, value, flags);
            return;
        }
        if (parsed.isEquivalentToMode()) {
            remove(ino, name, flags);
        } else {
            fs.setxattr(ino, name, value, flags);
        }
        int mode = parsed.modeOf(attr.mode());
        if (mode != attr.mode()) {
            fs.chmod(ino, mode & 07777);
        }
    }

    /** An ACL equal to the mode is stored as no ACL; the flags still apply as to a set. */
    private void remove(long ino, String name, int flags) throws FsException {
        boolean exists = fs.listxattr(ino).contains(name);
        if (exists && (flags & FileSystem.XATTR_CREATE) != 0) {
            throw new FsException(Errno.EEXIST, name + " exists");
        }
        if (!exists && (flags & FileSystem.XATTR_REPLACE) != 0) {
            throw new FsException(Errno.ENODATA, "no " + name);
        }
        if (exists) {
            fs.removexattr(ino, name);
        }
    }

    void remove(long ino, String name) throws FsException {
        requireShown(name);
        fs.removexattr(ino, name);
    }

    /** posix_acl_chmod: after a chmod, the access ACL follows the new mode. */
    void chmodded(long ino, int mode) throws FsException {
        if (!acl) {
            return;
        }
        byte[] current = storedAcl(ino, XattrName.ACL_ACCESS);
        if (current != null) {
            fs.setxattr(ino, XattrName.ACL_ACCESS, PosixAcl.parse(current).chmod(mode).toXattr(), 0);
        }
    }

    /** The mode and ACLs a new inode in {@code parent} gets (posix_acl_create). */
    record Inherited(int mode, byte[] access, byte[] defaults) {
    }

    Inherited inherit(long parent, int mode, boolean directory, int umask) throws FsException {
        byte[] dflt = acl ? storedAcl(parent, XattrName.ACL_DEFAULT) : null;
        if (dflt == null) {
            return new Inherited(mode & ~umask, null, null);
        }
        PosixAcl.Created c = PosixAcl.parse(dflt).create(mode);
        return new Inherited(c.mode(), c.access() == null ? null : c.access().toXattr(), directory ? dflt : null);
    }

    /** Stores what {@link #inherit} decided on the new inode. */
    void apply(long ino, Inherited inherited) throws FsException {
        if (inherited.defaults() != null) {
            fs.setxattr(ino, XattrName.ACL_DEFAULT, inherited.defaults(), 0);
        }
        if (inherited.access() != null) {
            fs.setxattr(ino, XattrName.ACL_ACCESS, inherited.access(), 0);
        }
    }

    private byte[] storedAcl(long ino, String name) throws FsException {
        try {
            return fs.getxattr(ino, name);
        } catch (FsException e) {
            if (e.errno() == Errno.ENODATA) {
                return null;
            }
            throw e;
        }
    }
}
