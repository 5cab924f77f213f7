package io.ext3ns.fs.engine;

/**
 * When reading a file or listing a directory sets its atime, as the kernel's mount options say (fs/inode.c,
 * atime_needs_update and relatime_need_update).
 */
public enum AtimePolicy {
    /** The kernel's default: only when atime is not after mtime or ctime, or is 24 hours old. */
    RELATIME,
    /** Every access. */
    STRICTATIME,
    /** Never. */
    NOATIME;

    private static final long DAY_NANOS = 24L * 3600 * 1_000_000_000L;

    /** True when an access at {@code now} must set atime (all times in nanoseconds since the epoch). */
    public boolean needsUpdate(long atime, long mtime, long ctime, long now) {
        return switch (this) {
            case NOATIME -> false;
            case STRICTATIME -> atime != now;
            case RELATIME -> mtime >= atime || ctime >= atime || now - atime >= DAY_NANOS;
        };
    }
}
