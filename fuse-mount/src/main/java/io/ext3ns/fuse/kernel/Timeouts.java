package io.ext3ns.fuse.kernel;

import java.util.List;

/**
 * How long the kernel may trust a name (entry) and an inode's attributes before asking again. Inode-based, one
 * kernel inode per engine inode, so caching is safe (the high-level API's attr_timeout=0 came from its one kernel
 * inode per name). The mount always lists attr_timeout=0 first, for that API; a later attr_timeout= or
 * entry_timeout= is the user's and wins.
 */
record Timeouts(long entryNanos, long attrNanos) {
    static final long DEFAULT_NANOS = 1_000_000_000L;

    static Timeouts of(List<String> options) {
        long entry = DEFAULT_NANOS;
        long attr = DEFAULT_NANOS;
        boolean firstAttr = true;
        for (String o : options) {
            if (o.startsWith("entry_timeout=")) {
                entry = seconds(o);
            } else if (o.startsWith("attr_timeout=")) {
                if (!firstAttr) {
                    attr = seconds(o);
                }
                firstAttr = false;
            }
        }
        return new Timeouts(entry, attr);
    }

    private static long seconds(String option) {
        String v = option.substring(option.indexOf('=') + 1);
        try {
            double s = Double.parseDouble(v);
            if (s < 0 || s > 86_400 || Double.isNaN(s)) {
                throw new NumberFormatException();
            }
            return (long) (s * 1e9);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mount option " + option + " is not a number of seconds (0..86400)");
        }
    }
}
