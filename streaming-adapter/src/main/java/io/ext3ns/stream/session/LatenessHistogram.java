package io.ext3ns.stream.session;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How late packets left against their PCR schedule: 100 µs buckets up to 50 ms and one bucket beyond. Each
 * scheduler thread records into its own histogram (no sharing on the hot path); {@link #addTo} sums them.
 */
public final class LatenessHistogram {
    public static final int BUCKET_MICROS = 100;
    public static final int BUCKETS = 501; // [0,100µs) ... [49.9,50ms), >= 50 ms
    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    /** Records one packet sent {@code lateNanos} after its due time (early packets count as on time). */
    public void record(long lateNanos) {
        long bucket = Math.max(0, lateNanos) / (BUCKET_MICROS * 1000L);
        int i = (int) Math.min(bucket, BUCKETS - 1);
        counts.lazySet(i, counts.get(i) + 1); // single writer: the owning scheduler thread
    }

    public void addTo(long[] sums) {
        for (int i = 0; i < BUCKETS; i++) {
            sums[i] += counts.get(i);
        }
    }

    /** Packets in {@code sums} that left within {@code micros} of schedule (bucket resolution, rounded down). */
    public static long countWithin(long[] sums, long micros) {
        long n = 0;
        int last = (int) Math.min(BUCKETS - 1, micros / BUCKET_MICROS);
        for (int i = 0; i < last; i++) {
            n += sums[i];
        }
        return n;
    }

    /** Upper bound in µs of the bucket holding quantile {@code q} (0..1) of {@code sums}; -1 if empty. */
    public static long quantileMicros(long[] sums, double q) {
        long total = 0;
        for (long c : sums) {
            total += c;
        }
        if (total == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += sums[i];
            if (seen >= rank) {
                return i == BUCKETS - 1 ? Long.MAX_VALUE : (i + 1L) * BUCKET_MICROS;
            }
        }
        return Long.MAX_VALUE;
    }
}
