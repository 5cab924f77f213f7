package io.ext3ns.sda;

import java.util.Locale;

/**
 * How an array's member requests reach the kernel. Both keep the paper's rule: at most N (2) requests in flight per
 * member, the next issued as one completes.
 */
public enum IoEngine {
    /** Blocking positional reads and writes, one thread per in-flight slot per member. */
    THREADS,
    /**
     * io_uring: one ring and one completion thread per array; buffers carved from a registered
     * {@link HugePageArena} go as READ_FIXED/WRITE_FIXED. Falls back to {@link #THREADS}, with one line on stderr,
     * where the kernel refuses io_uring.
     */
    URING,
    /**
     * io_uring with one ring and one ring thread per member instead of per array (like fio's one job per member):
     * more threads to wake, but a stalled ring thread holds up one member only.
     */
    URING_MEMBER;

    /** The system property that picks the default engine: {@code -Dext3ns.sda.engine=uring|threads}. */
    public static final String PROPERTY = "ext3ns.sda.engine";

    /**
     * The engine {@link #PROPERTY} names, else the default, {@link #URING}: it measured less CPU per GB than the
     * threads at most points with ordinary buffers and a quarter to a third of it with a registered arena
     * (docs/sda.md), and the whole test suite passes with it.
     */
    public static IoEngine configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? URING : parse(value);
    }

    /** "threads", "uring" or "uring-member" (also as a mount option value {@code sda_engine=...}). */
    public static IoEngine parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown SDA engine '" + text + "': use threads, uring or uring-member");
        }
    }

    /** True for the io_uring engines (members then need a native descriptor). */
    public boolean usesRing() {
        return this != THREADS;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
