package io.ext3ns.fuse.ops;

import io.ext3ns.stream.metrics.MetricsSection;
import io.ext3ns.stream.metrics.PrometheusWriter;
import io.ext3ns.stream.metrics.PrometheusWriter.Type;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * FUSE requests this mount process answered, by operation: how many, how many failed, and how long each took in
 * our code (from the upcall's entry to its answer; the kernel's queueing is not seen here). Recorded by the
 * adapters' one upcall wrapper for libfuse 2 and 3 alike, and written into the mount's /metrics (-o http=PORT).
 * A process serves one mount, so one instance ({@link #PROCESS}) holds its counters.
 */
public final class FuseRequestMetrics implements MetricsSection {
    public static final FuseRequestMetrics PROCESS = new FuseRequestMetrics();
    /** Histogram bounds in nanoseconds: 10 µs to 1 s, roughly ×2.5 apart. */
    static final long[] BOUNDS_NANOS = {10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
        5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 1_000_000_000};

    private final Map<String, OpStats> byOp = new ConcurrentHashMap<>();

    /** Counters of one operation; the bucket array is not cumulative (each request lands in exactly one). */
    private static final class OpStats {
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final LongAdder[] buckets = new LongAdder[BOUNDS_NANOS.length + 1];

        OpStats() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** One answered request of {@code op} that took {@code nanos}; {@code failed} when it answered an error. */
    public void record(String op, long nanos, boolean failed) {
        OpStats s = byOp.computeIfAbsent(op, k -> new OpStats());
        s.count.increment();
        if (failed) {
            s.errors.increment();
        }
        s.nanos.add(nanos);
        int i = 0;
        while (i < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[i]) {
            i++;
        }
        s.buckets[i].increment();
    }

    @Override
    public void write(PrometheusWriter w) {
        Map<String, OpStats> ops = new TreeMap<>(byOp); // stable order; ops appear once they have been called
        w.family("ext3ns_fuse_requests_total", Type.COUNTER, "FUSE requests answered, by operation.");
        ops.forEach((op, s) -> w.sample("ext3ns_fuse_requests_total", s.count.sum(), "op", op));
        w.family("ext3ns_fuse_errors_total", Type.COUNTER, "FUSE requests answered with an error, by operation.");
        ops.forEach((op, s) -> w.sample("ext3ns_fuse_errors_total", s.errors.sum(), "op", op));
        String name = "ext3ns_fuse_request_duration_seconds";
        w.family(name, Type.HISTOGRAM, "Time from a FUSE upcall's entry to its answer, by operation.");
        ops.forEach((op, s) -> {
            long cumulative = 0;
            for (int i = 0; i < BOUNDS_NANOS.length; i++) {
                cumulative += s.buckets[i].sum();
                w.sample(name + "_bucket", cumulative, "op", op, "le",
                        BigDecimal.valueOf(BOUNDS_NANOS[i]).movePointLeft(9).stripTrailingZeros().toPlainString());
            }
            cumulative += s.buckets[BOUNDS_NANOS.length].sum();
            w.sample(name + "_bucket", cumulative, "op", op, "le", "+Inf");
            w.sample(name + "_sum", s.nanos.sum() / 1e9, "op", op);
            w.sample(name + "_count", cumulative, "op", op);
        });
    }
}
