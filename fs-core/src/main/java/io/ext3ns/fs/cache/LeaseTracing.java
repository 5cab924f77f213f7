package io.ext3ns.fs.cache;

/** How much the pool records about where leases were taken (a stack trace costs microseconds). */
public enum LeaseTracing {
    /** No stacks; leaks are still counted and listed. */
    NONE,
    /**
     * A stack for every unit handed out by {@link PinnedBufferPool#acquire()} and every further lease
     * ({@link UnitRef#retain()}: what a {@link BlockCache} reader gets), for tests.
     */
    ACQUIRE,
    /** As {@link #ACQUIRE}: for hunting a leak, not for production. */
    ALL
}
