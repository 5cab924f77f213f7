package io.ext3ns.fuse.jnr;

import io.ext3ns.fuse.ops.FuseBackend;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The mount's FUSE options as libfuse 3 takes them: some stay on its command line, some are fields that init() sets
 * (use_ino, hard_remove and direct_io in struct fuse_config, max_background and congestion_threshold in struct
 * fuse_conn_info),
 * and libfuse 2's nonempty, which libfuse 3 refuses (it always allows a non-empty mount point), is dropped.
 *
 * @param commandLine         what goes to -o
 * @param useIno              set fuse_config.use_ino
 * @param hardRemove          set fuse_config.hard_remove
 * @param directIo            set fuse_config.direct_io
 * @param maxBackground       fuse_conn_info.max_background, or -1 to keep libfuse's
 * @param congestionThreshold fuse_conn_info.congestion_threshold, or -1 to keep libfuse's
 * @param posixAcl            ask for FUSE_CAP_POSIX_ACL (the kernel enforces the ACLs in our xattrs, and implies
 *                            default_permissions) and FUSE_CAP_DONT_MASK (the umask reaches us, to be replaced by a
 *                            directory's default ACL): the marker option {@value FuseBackend#POSIX_ACL}
 */
record Fuse3Options(List<String> commandLine, boolean useIno, boolean hardRemove, boolean directIo, int maxBackground,
                    int congestionThreshold, boolean posixAcl) {
    private static final Logger log = LoggerFactory.getLogger(Fuse3Options.class);
    /** Offsets in libfuse 3's struct fuse_conn_info (nine unsigned ints from proto_major on). */
    private static final long CONN_MAX_BACKGROUND = 28;
    private static final long CONN_CONGESTION_THRESHOLD = 32;
    private static final long CONN_CAPABLE = 20;
    private static final long CONN_WANT = 24;
    private static final int CAP_DONT_MASK = 1 << 6;
    private static final int CAP_POSIX_ACL = 1 << 19;
    /** Offsets in libfuse 3's struct fuse_config (six ints, three doubles, then ints: ..., hard_remove, use_ino). */
    private static final long CONFIG_HARD_REMOVE = 60;
    private static final long CONFIG_USE_INO = 64;
    private static final long CONFIG_DIRECT_IO = 72;
    private static final long CONFIG_NULLPATH_OK = 104;

    static Fuse3Options parse(List<String> options) {
        List<String> commandLine = new ArrayList<>();
        boolean useIno = false;
        boolean hardRemove = false;
        boolean directIo = false;
        int maxBackground = -1;
        int congestionThreshold = -1;
        boolean posixAcl = false;
        for (String option : options) {
            if (option.equals("nonempty")) {
                continue;
            } else if (option.equals(FuseBackend.POSIX_ACL)) {
                posixAcl = true;
            } else if (option.equals("use_ino")) {
                useIno = true;
            } else if (option.equals("hard_remove")) {
                hardRemove = true;
            } else if (option.equals("direct_io")) {
                directIo = true;
            } else if (option.startsWith("max_background=")) {
                maxBackground = count(option);
            } else if (option.startsWith("congestion_threshold=")) {
                congestionThreshold = count(option);
            } else {
                commandLine.add(option);
            }
        }
        return new Fuse3Options(List.copyOf(commandLine), useIno, hardRemove, directIo, maxBackground,
                congestionThreshold, posixAcl);
    }

    /** Sets the init-time fields in libfuse's struct fuse_conn_info and struct fuse_config. */
    void applyTo(Pointer conn, Pointer config) {
        // Operations on an open file go by its handle, so a file unlinked while open (hard_remove: it has no path
        // left) keeps working instead of failing with ESTALE.
        config.putInt(CONFIG_NULLPATH_OK, 1);
        if (useIno) {
            config.putInt(CONFIG_USE_INO, 1);
        }
        if (hardRemove) {
            config.putInt(CONFIG_HARD_REMOVE, 1);
        }
        if (directIo) {
            config.putInt(CONFIG_DIRECT_IO, 1);
        }
        if (maxBackground >= 0) {
            conn.putInt(CONN_MAX_BACKGROUND, maxBackground);
        }
        if (congestionThreshold >= 0) {
            conn.putInt(CONN_CONGESTION_THRESHOLD, congestionThreshold);
        }
        if (posixAcl) {
            int capable = conn.getInt(CONN_CAPABLE);
            if ((capable & CAP_POSIX_ACL) == 0) {
                log.warn("the kernel cannot enforce POSIX ACLs through FUSE; only the mode bits are checked");
            }
            conn.putInt(CONN_WANT, conn.getInt(CONN_WANT) | (capable & (CAP_POSIX_ACL | CAP_DONT_MASK)));
        }
    }

    /** The number in "key=N" (0..65535, as the kernel's u16 fields take it), or -1 (logged) if it is not one. */
    private static int count(String option) {
        String value = option.substring(option.indexOf('=') + 1);
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("ignoring {}: not a number from 0 to 65535", option);
        return -1;
    }
}
