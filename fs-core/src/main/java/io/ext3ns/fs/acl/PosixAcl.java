package io.ext3ns.fs.acl;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A POSIX ACL in the VFS's xattr format (system.posix_acl_access / _default values: version 2, then 8-byte entries
 * tag, perm, id), and what Linux's fs/posix_acl.c does with one: validate it, find the file mode it is equivalent
 * to, follow a chmod, and derive a new file's ACLs from its directory's default ACL.
 */
public final class PosixAcl {
    public static final int USER_OBJ = 0x01;
    public static final int USER = 0x02;
    public static final int GROUP_OBJ = 0x04;
    public static final int GROUP = 0x08;
    public static final int MASK = 0x10;
    public static final int OTHER = 0x20;
    private static final int VERSION = 2;
    private static final int UNDEFINED_ID = -1;

    /** One entry; id is -1 for the entries without one. */
    public record Entry(int tag, int perm, int id) {
    }

    private final List<Entry> entries;

    private PosixAcl(List<Entry> entries) {
        this.entries = entries;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Parses and validates (posix_acl_valid): EINVAL for anything the kernel would refuse. */
    public static PosixAcl parse(byte[] xattr) throws FsException {
        if (xattr.length < 4 || (xattr.length - 4) % 8 != 0) {
            throw new FsException(Errno.EINVAL, "ACL of " + xattr.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(xattr).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != VERSION) {
            throw new FsException(Errno.EOPNOTSUPP, "ACL version " + b.getInt(0));
        }
        List<Entry> list = new ArrayList<>();
        for (int p = 4; p < xattr.length; p += 8) {
            int tag = b.getShort(p) & 0xFFFF;
            int perm = b.getShort(p + 2) & 0xFFFF;
            int id = tag == USER || tag == GROUP ? b.getInt(p + 4) : UNDEFINED_ID;
            list.add(new Entry(tag, perm, id));
        }
        PosixAcl acl = new PosixAcl(list);
        acl.validate();
        return acl;
    }

    public byte[] toXattr() {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(VERSION);
        for (Entry e : entries) {
            b.putShort((short) e.tag()).putShort((short) e.perm()).putInt(e.id());
        }
        return b.array();
    }

    /** posix_acl_valid: one USER_OBJ, USERs, one GROUP_OBJ, GROUPs, a MASK when there are named entries, OTHER. */
    private void validate() throws FsException {
        int state = USER_OBJ;
        boolean needsMask = false;
        long previousId = Long.MIN_VALUE;
        for (Entry e : entries) {
            if ((e.perm() & ~7) != 0) {
                throw invalid("permission bits 0" + Integer.toOctalString(e.perm()));
            }
            switch (e.tag()) {
                case USER_OBJ -> {
                    if (state != USER_OBJ) {
                        throw invalid("USER_OBJ out of place");
                    }
                    state = USER;
                    previousId = Long.MIN_VALUE;
                }
                case USER, GROUP -> {
                    if (state != e.tag()) {
                        throw invalid("named entry out of place");
                    }
                    long id = e.id() & 0xFFFF_FFFFL;
                    if (id == 0xFFFF_FFFFL || id <= previousId) {
                        throw invalid("named entries not sorted or repeated");
                    }
                    previousId = id;
                    needsMask = true;
                }
                case GROUP_OBJ -> {
                    if (state != USER) {
                        throw invalid("GROUP_OBJ out of place");
                    }
                    state = GROUP;
                    previousId = Long.MIN_VALUE;
                }
                case MASK -> {
                    if (state != GROUP) {
                        throw invalid("MASK out of place");
                    }
                    state = OTHER;
                }
                case OTHER -> {
                    if (state != OTHER && !(state == GROUP && !needsMask)) {
                        throw invalid("OTHER out of place or MASK missing");
                    }
                    state = 0;
                }
                default -> throw invalid("unknown tag 0x" + Integer.toHexString(e.tag()));
            }
        }
        if (state != 0) {
            throw invalid("incomplete");
        }
    }

    private static FsException invalid(String why) {
        return new FsException(Errno.EINVAL, "invalid ACL: " + why);
    }

    /**
     * posix_acl_equiv_mode: the permission bits this ACL gives (USER_OBJ, then MASK or GROUP_OBJ, OTHER) put into
     * {@code mode}'s low nine bits.
     */
    public int modeOf(int mode) {
        int perms = 0;
        for (Entry e : entries) {
            switch (e.tag()) {
                case USER_OBJ -> perms |= (e.perm() & 7) << 6;
                case GROUP_OBJ -> perms |= (e.perm() & 7) << 3;
                case OTHER -> perms |= e.perm() & 7;
                case MASK -> perms = (perms & ~070) | (e.perm() & 7) << 3;
                default -> { }
            }
        }
        return (mode & ~0777) | perms;
    }

    /** True when the mode bits say all this ACL says (no named entries, no mask): ext3 then stores no ACL. */
    public boolean isEquivalentToMode() {
        for (Entry e : entries) {
            if (e.tag() == USER || e.tag() == GROUP || e.tag() == MASK) {
                return false;
            }
        }
        return true;
    }

    /** __posix_acl_chmod: the ACL after chmod to {@code mode} (owner, mask or owning group, other follow it). */
    public PosixAcl chmod(int mode) {
        boolean hasMask = entries.stream().anyMatch(e -> e.tag() == MASK);
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            int perm = switch (e.tag()) {
                case USER_OBJ -> (mode >> 6) & 7;
                case MASK -> (mode >> 3) & 7;
                case GROUP_OBJ -> hasMask ? e.perm() : (mode >> 3) & 7;
                case OTHER -> mode & 7;
                default -> e.perm();
            };
            out.add(new Entry(e.tag(), perm, e.id()));
        }
        return new PosixAcl(out);
    }

    /** A new inode's access ACL and mode, from its directory's default ACL (posix_acl_create_masq). */
    public record Created(int mode, PosixAcl access) {
    }

    /**
     * __posix_acl_create: the default ACL masked by the mode asked for; the new mode follows the result. The access
     * ACL is null when the result is equivalent to the mode alone.
     */
    public Created create(int mode) {
        int m = mode;
        boolean notEquivalent = false;
        List<Entry> out = new ArrayList<>(entries);
        int groupObj = -1;
        int mask = -1;
        for (int i = 0; i < out.size(); i++) {
            Entry e = out.get(i);
            switch (e.tag()) {
                case USER_OBJ -> {
                    int perm = e.perm() & ((m >> 6) & 7);
                    out.set(i, new Entry(e.tag(), perm, e.id()));
                    m &= (perm << 6) | ~0700;
                }
                case USER, GROUP -> notEquivalent = true;
                case GROUP_OBJ -> groupObj = i;
                case OTHER -> {
                    int perm = e.perm() & (m & 7);
                    out.set(i, new Entry(e.tag(), perm, e.id()));
                    m &= perm | ~07;
                }
                case MASK -> {
                    mask = i;
                    notEquivalent = true;
                }
                default -> { }
            }
        }
        int which = mask >= 0 ? mask : groupObj;
        if (which >= 0) {
            Entry e = out.get(which);
            int perm = e.perm() & ((m >> 3) & 7);
            out.set(which, new Entry(e.tag(), perm, e.id()));
            m &= (perm << 3) | ~070;
        }
        int newMode = (mode & ~0777) | (m & 0777);
        return new Created(newMode, notEquivalent ? new PosixAcl(out) : null);
    }
}
