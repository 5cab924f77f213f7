package io.ext3ns.stream.origin;

import io.ext3ns.stream.metrics.MetricsSection;
import io.ext3ns.stream.metrics.PrometheusWriter;
import io.ext3ns.stream.metrics.PrometheusWriter.Type;
import java.util.concurrent.atomic.LongAdder;

/** The edge's counters, written into the server's /metrics as the {@code ext3ns_origin_*} families. */
public final class OriginMetrics implements MetricsSection {
    final LongAdder bytes = new LongAdder();
    final LongAdder fetchNanos = new LongAdder();
    final LongAdder fetchesDone = new LongAdder();
    final LongAdder firstByteNanos = new LongAdder();
    final LongAdder firstBytes = new LongAdder();
    final LongAdder titlesFetched = new LongAdder();
    final LongAdder titlesPurged = new LongAdder();
    final LongAdder failures = new LongAdder();
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();

    /** Titles whose fill finished. */
    public long fetchesDone() {
        return fetchesDone.sum();
    }

    public long titlesPurged() {
        return titlesPurged.sum();
    }

    public long bytesFetched() {
        return bytes.sum();
    }

    @Override
    public void write(PrometheusWriter w) {
        long h = hits.sum();
        long m = misses.sum();
        w.single("ext3ns_origin_bytes_fetched_total", Type.COUNTER, "Bytes fetched from the origin", bytes.sum());
        w.family("ext3ns_origin_fetch_seconds", Type.COUNTER,
                "Whole-title fills from the origin: total seconds (_sum) and fills finished (_count)");
        w.sample("ext3ns_origin_fetch_seconds_sum", fetchNanos.sum() / 1e9);
        w.sample("ext3ns_origin_fetch_seconds_count", fetchesDone.sum());
        w.family("ext3ns_origin_first_byte_seconds", Type.COUNTER,
                "Time from a title's request to its first origin bytes in the store: _sum and _count");
        w.sample("ext3ns_origin_first_byte_seconds_sum", firstByteNanos.sum() / 1e9);
        w.sample("ext3ns_origin_first_byte_seconds_count", firstBytes.sum());
        w.single("ext3ns_origin_titles_fetched_total", Type.COUNTER, "Titles whose fill from the origin started",
                titlesFetched.sum());
        w.single("ext3ns_origin_titles_purged_total", Type.COUNTER,
                "Origin titles removed to bring the volume under its high-water mark", titlesPurged.sum());
        w.single("ext3ns_origin_fetch_failures_total", Type.COUNTER,
                "Fills that failed (origin down, changed object, no room); their partial files were removed",
                failures.sum());
        w.family("ext3ns_origin_requests_total", Type.COUNTER,
                "Opens of titles: hit when the store held the whole title, miss when it had to fill from the origin");
        w.sample("ext3ns_origin_requests_total", h, "result", "hit");
        w.sample("ext3ns_origin_requests_total", m, "result", "miss");
        w.single("ext3ns_origin_hit_ratio", Type.GAUGE, "hits / (hits + misses) since start (1 before any request)",
                h + m == 0 ? 1.0 : (double) h / (h + m));
    }
}
