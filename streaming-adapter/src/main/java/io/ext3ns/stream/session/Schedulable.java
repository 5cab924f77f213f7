package io.ext3ns.stream.session;

/** Work a {@link StreamScheduler} runs when it is due. */
interface Schedulable {
    /** Value of {@link #service} meaning "do not reschedule; something else will wake me". */
    long IDLE = Long.MIN_VALUE;

    /**
     * Does the work due at {@code nowNanos} (System.nanoTime) and returns when to run next, or {@link #IDLE}.
     * Runs on the scheduler thread; must never block.
     */
    long service(long nowNanos);

    /** Monotonic ticket of the latest scheduling; older queue entries are stale. */
    long bumpTicket();

    long ticket();
}
