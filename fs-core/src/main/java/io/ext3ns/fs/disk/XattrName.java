package io.ext3ns.fs.disk;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.util.FileNames;

/**
 * The namespaces of ext3's extended attributes and their name indexes (e_name_index): a full name such as
 * "user.comment" is stored as index 1 and name "comment"; the POSIX ACLs are indexes 2 and 3 with an empty name.
 */
public record XattrName(int index, byte[] suffix) {
    public static final int USER = 1;
    public static final int POSIX_ACL_ACCESS = 2;
    public static final int POSIX_ACL_DEFAULT = 3;
    public static final int TRUSTED = 4;
    public static final int SECURITY = 6;

    public static final String ACL_ACCESS = "system.posix_acl_access";
    public static final String ACL_DEFAULT = "system.posix_acl_default";
    /** The VFS's XATTR_NAME_MAX: a longer full name is ERANGE. */
    public static final int NAME_MAX = 255;

    /**
     * Parses a full name as the kernel's ext3 does: an unknown namespace is EOPNOTSUPP, a known prefix with nothing
     * after it EINVAL, a name longer than 255 bytes ERANGE.
     */
    public static XattrName parse(String full) throws FsException {
        byte[] all = bytes(full);
        if (all.length > NAME_MAX) {
            throw new FsException(Errno.ERANGE, "attribute name of " + all.length + " bytes (max 255)");
        }
        if (full.equals(ACL_ACCESS)) {
            return new XattrName(POSIX_ACL_ACCESS, new byte[0]);
        }
        if (full.equals(ACL_DEFAULT)) {
            return new XattrName(POSIX_ACL_DEFAULT, new byte[0]);
        }
        for (int index : new int[] {USER, TRUSTED, SECURITY}) {
            String prefix = prefix(index);
            if (full.startsWith(prefix)) {
                if (full.length() == prefix.length()) {
                    throw new FsException(Errno.EINVAL, "attribute name '" + full + "' has no name after its prefix");
                }
                return new XattrName(index, bytes(full.substring(prefix.length())));
            }
        }
        throw new FsException(Errno.EOPNOTSUPP, "attribute namespace of '" + full + "' not supported");
    }

    /** The prefix of a name index ("user." ...), the whole name for the ACLs, or null for indexes not listed. */
    public static String prefix(int index) {
        return switch (index) {
            case USER -> "user.";
            case POSIX_ACL_ACCESS -> ACL_ACCESS;
            case POSIX_ACL_DEFAULT -> ACL_DEFAULT;
            case TRUSTED -> "trusted.";
            case SECURITY -> "security.";
            default -> null;
        };
    }

    /** The full name of a stored entry, or null when its index is one we do not list (e.g. ext4's system.data). */
    public static String fullName(XattrEntry e) {
        String prefix = prefix(e.index());
        if (prefix == null) {
            return null;
        }
        return prefix + FileNames.decode(e.name());
    }

    /** Attribute names are byte strings as file names are ({@link FileNames}). */
    private static byte[] bytes(String name) throws FsException {
        try {
            return FileNames.encode(name);
        } catch (IllegalArgumentException e) {
            throw new FsException(Errno.EINVAL, e.getMessage());
        }
    }

    public boolean isAcl() {
        return index == POSIX_ACL_ACCESS || index == POSIX_ACL_DEFAULT;
    }
}
