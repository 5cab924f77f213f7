package io.ext3ns.fs.api;

import io.ext3ns.sda.MemberLatency;
import java.util.List;

/**
 * What a file system can tell a metrics scrape about itself, beyond the {@link FileSystem} calls: its caches and, if
 * it sits on a Stream Disk Array, the array's per-member queue depths and request latencies. Optional: callers check
 * {@code fs instanceof MetricsSource}. Every call is cheap (counter reads) and safe from any thread.
 */
public interface MetricsSource {
    /** One snapshot per cache, in a stable order. */
    List<CacheStats> cacheStats();

    /** Requests queued or in flight per array member, in member order; empty when the device is not an array. */
    int[] deviceQueueDepths();

    /**
     * Per array member, in member order: how long its reads and writes took from submission to completion;
     * empty when the device is not an array.
     */
    List<MemberLatency> deviceRequestLatencies();
}
