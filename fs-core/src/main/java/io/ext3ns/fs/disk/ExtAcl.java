package io.ext3ns.fs.disk;

import static io.ext3ns.fs.disk.LittleEndian.put16;
import static io.ext3ns.fs.disk.LittleEndian.put32;
import static io.ext3ns.fs.disk.LittleEndian.u16;
import static io.ext3ns.fs.disk.LittleEndian.u32;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import java.io.ByteArrayOutputStream;

/**
 * ext3's compact on-disk ACL (fs/ext4/acl.c) and the POSIX ACL xattr format the VFS speaks
 * (include/uapi/linux/posix_acl_xattr.h), converted both ways. On disk: a version word 1, then entries of 4 bytes
 * (tag, perm) for USER_OBJ, GROUP_OBJ, MASK and OTHER and of 8 bytes (tag, perm, id) for USER and GROUP. The
 * xattr format: version word 2, then 8-byte entries (tag, perm, id) with id -1 where there is none.
 */
public final class ExtAcl {
    public static final int USER_OBJ = 0x01;
    public static final int USER = 0x02;
    public static final int GROUP_OBJ = 0x04;
    public static final int GROUP = 0x08;
    public static final int MASK = 0x10;
    public static final int OTHER = 0x20;
    private static final int DISK_VERSION = 1;
    private static final int XATTR_VERSION = 2;
    private static final long UNDEFINED_ID = 0xFFFF_FFFFL;

    private ExtAcl() {
    }

    /** The on-disk ACL as the VFS's xattr; EUCLEAN-style corruption when it is malformed. */
    public static byte[] toXattr(byte[] disk, String what) throws CorruptFsException {
        if (disk.length < 4 || u32(disk, 0) != DISK_VERSION) {
            throw new CorruptFsException(what + ": ACL without version 1 header");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] word = new byte[8];
        put32(word, 0, XATTR_VERSION);
        out.write(word, 0, 4);
        int p = 4;
        while (p < disk.length) {
            if (p + 4 > disk.length) {
                throw new CorruptFsException(what + ": ACL entry at " + p + " is cut short");
            }
            int tag = u16(disk, p);
            int perm = u16(disk, p + 2);
            long id = UNDEFINED_ID;
            if (tag == USER || tag == GROUP) {
                if (p + 8 > disk.length) {
                    throw new CorruptFsException(what + ": ACL entry at " + p + " is cut short");
                }
                id = u32(disk, p + 4);
                p += 8;
            } else if (tag == USER_OBJ || tag == GROUP_OBJ || tag == MASK || tag == OTHER) {
                p += 4;
            } else {
                throw new CorruptFsException(what + ": ACL entry with unknown tag 0x" + Integer.toHexString(tag));
            }
            put16(word, 0, tag);
            put16(word, 2, perm);
            put32(word, 4, id);
            out.write(word, 0, 8);
        }
        return out.toByteArray();
    }

    /** The VFS's xattr as ext3 stores it; EINVAL when it is not a well-formed version 2 ACL. */
    public static byte[] fromXattr(byte[] xattr) throws FsException {
        if (xattr.length < 4 || (xattr.length - 4) % 8 != 0 || u32(xattr, 0) != XATTR_VERSION) {
            throw new FsException(Errno.EINVAL, "not a POSIX ACL (version 2, 8-byte entries): " + xattr.length
                    + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] word = new byte[8];
        put32(word, 0, DISK_VERSION);
        out.write(word, 0, 4);
        for (int p = 4; p < xattr.length; p += 8) {
            int tag = u16(xattr, p);
            put16(word, 0, tag);
            put16(word, 2, u16(xattr, p + 2));
            if (tag == USER || tag == GROUP) {
                put32(word, 4, u32(xattr, p + 4));
                out.write(word, 0, 8);
            } else if (tag == USER_OBJ || tag == GROUP_OBJ || tag == MASK || tag == OTHER) {
                out.write(word, 0, 4);
            } else {
                throw new FsException(Errno.EINVAL, "ACL entry with unknown tag 0x" + Integer.toHexString(tag));
            }
        }
        return out.toByteArray();
    }
}
