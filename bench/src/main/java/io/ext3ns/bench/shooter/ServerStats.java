package io.ext3ns.bench.shooter;

import io.ext3ns.stream.session.LatenessHistogram;

import java.util.HashMap;
import java.util.Map;

/**
 * One reading of the server's statistics (RTSP GET_PARAMETER ext3ns.stats): cumulative counters and the lateness
 * histogram, so that the difference of two readings describes the time between them.
 */
record ServerStats(long packets, long[] lateness, long serverCpuNanos, String paths, String gso, long clockNanos,
                   long schedulerAllocBytes) {

    static ServerStats parse(String text) {
        Map<String, String> fields = new HashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                fields.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
            }
        }
        long[] hist = new long[LatenessHistogram.BUCKETS];
        String buckets = fields.getOrDefault("lateness_hist", "");
        if (!buckets.isEmpty()) {
            for (String entry : buckets.split(",")) {
                String[] kv = entry.split(":");
                int bucket = Integer.parseInt(kv[0]);
                if (bucket < 0 || bucket >= hist.length) {
                    throw new IllegalArgumentException("lateness bucket out of range: " + entry);
                }
                hist[bucket] = Long.parseLong(kv[1]);
            }
        }
        return new ServerStats(Long.parseLong(fields.getOrDefault("packets", "0")), hist,
                Long.parseLong(fields.getOrDefault("server_cpu_ns", "-1")), fields.getOrDefault("paths", ""),
                fields.getOrDefault("gso", "?"), Long.parseLong(fields.getOrDefault("clock_ns", "0")),
                Long.parseLong(fields.getOrDefault("scheduler_alloc_bytes", "-1")));
    }

    /** What happened between {@code earlier} and this reading. */
    ServerStats since(ServerStats earlier) {
        long[] hist = new long[lateness.length];
        for (int i = 0; i < hist.length; i++) {
            hist[i] = lateness[i] - earlier.lateness[i];
        }
        return new ServerStats(packets - earlier.packets, hist, serverCpuNanos - earlier.serverCpuNanos, paths, gso,
                clockNanos - earlier.clockNanos, schedulerAllocBytes - earlier.schedulerAllocBytes);
    }

    /** Fraction of packets that left within {@code micros} of their schedule (1 when none were sent). */
    double fractionWithin(long micros) {
        long total = 0;
        for (long c : lateness) {
            total += c;
        }
        return total == 0 ? 1.0 : LatenessHistogram.countWithin(lateness, micros) / (double) total;
    }

    long quantileMicros(double q) {
        return LatenessHistogram.quantileMicros(lateness, q);
    }
}
