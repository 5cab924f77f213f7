package io.ext3ns.sda;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket latency histogram that member I/O threads record into with no lock and no allocation: one
 * atomic increment of the bucket the time falls in and one atomic add to the sum. Bounds are upper bounds,
 * inclusive (Prometheus's {@code le}), from 10 µs to 2.5 s, roughly ×2.5 apart: a page-cache hit on a file member
 * lands in the first buckets, a seek on a busy disk in the middle, a stalled member in the last.
 */
public final class LatencyHistogram {
    private static final long[] BOUNDS_NANOS = {10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
        2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000,
        1_000_000_000, 2_500_000_000L};

    /** Slots 0..n-1: times within BOUNDS_NANOS[i] (and above the bound before); slot n: above the last bound. */
    private final AtomicLongArray buckets = new AtomicLongArray(BOUNDS_NANOS.length + 1);
    private final AtomicLong sumNanos = new AtomicLong();

    /** The upper bounds of the finite buckets, in nanoseconds (a copy). */
    public static long[] boundsNanos() {
        return BOUNDS_NANOS.clone();
    }

    /** Records one request that took {@code nanos} (a negative time, impossible with nanoTime, counts as 0). */
    void record(long nanos) {
        long t = Math.max(0, nanos);
        int i = 0;
        while (i < BOUNDS_NANOS.length && t > BOUNDS_NANOS[i]) {
            i++;
        }
        buckets.incrementAndGet(i);
        sumNanos.addAndGet(t);
    }

    /**
     * The counts now, cumulative as Prometheus wants them. Read without a lock while requests complete, so the sum
     * may lag or lead the buckets by the requests finishing meanwhile; the count is the last cumulative bucket, so
     * {@code _count} always equals the {@code +Inf} bucket.
     */
    public Snapshot snapshot() {
        long[] cumulative = new long[BOUNDS_NANOS.length + 1];
        long running = 0;
        for (int i = 0; i < cumulative.length; i++) {
            running += buckets.get(i);
            cumulative[i] = running;
        }
        return new Snapshot(cumulative, sumNanos.get());
    }

    /**
     * One histogram's counts.
     *
     * @param cumulative requests within each bound of {@link #boundsNanos()}, then all of them (the +Inf bucket)
     * @param sumNanos   total time of those requests
     */
    public record Snapshot(long[] cumulative, long sumNanos) {
        public Snapshot {
            if (cumulative.length != BOUNDS_NANOS.length + 1) {
                throw new IllegalArgumentException("one count per bound and +Inf: " + cumulative.length);
            }
            cumulative = cumulative.clone();
        }

        /** Requests recorded. */
        public long count() {
            return cumulative[cumulative.length - 1];
        }

        /** Requests within {@code boundsNanos()[i]}; {@code i == boundsNanos().length} gives every request. */
        public long within(int i) {
            return cumulative[i];
        }

        @Override
        public long[] cumulative() {
            return cumulative.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Snapshot s && s.sumNanos == sumNanos && Arrays.equals(s.cumulative, cumulative);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(cumulative) + Long.hashCode(sumNanos);
        }

        @Override
        public String toString() {
            return "Snapshot" + Arrays.toString(cumulative) + " sum=" + sumNanos + "ns";
        }
    }
}
