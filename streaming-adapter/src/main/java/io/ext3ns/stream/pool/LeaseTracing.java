package io.ext3ns.stream.pool;

/** How much the pool records about where leases were taken (a stack trace costs microseconds). */
public enum LeaseTracing {
    /** No stacks; leaks are still counted and listed. */
    NONE,
    /** A stack for every unit handed out by {@link PinnedBufferPool#acquire()}; retained leases carry none. */
    ACQUIRE,
    /** A stack for every lease, including {@link UnitRef#retain()}: for hunting a leak, not for production. */
    ALL
}
