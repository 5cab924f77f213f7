package io.ext3ns.stream.metrics;

import io.ext3ns.fs.api.BlockCacheStats;
import io.ext3ns.fs.api.CacheStats;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.MetricsSource;
import io.ext3ns.sda.LatencyHistogram;
import io.ext3ns.sda.MemberLatency;
import io.ext3ns.stream.metrics.PrometheusWriter.Type;
import io.ext3ns.fs.cache.PoolMetrics;
import io.ext3ns.stream.send.SendTotals;
import io.ext3ns.stream.session.LatenessHistogram;
import io.ext3ns.stream.session.StreamingEngine;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code GET /metrics} reports, read from where it lives: the streaming engine (sessions, send
 * counters, lateness, pinned pool, shared unit reads), the RTSP service (sessions by send path, requests), the HTTP
 * request counters, the file system if it is a {@link MetricsSource} (engine caches, array queue depths and member request latencies), and the
 * {@link MetricsSection}s of the layers above (the FUSE mount's requests).
 * Nothing is sampled in the background: each scrape reads the live counters. Call {@link #scrape} on the server's
 * event-loop thread (the RTSP session table is confined to it); the HTTP handler does.
 */
public final class ServerMetrics {
    /** A packet that left later than this after its PCR schedule counts as late (the project's pacing target). */
    public static final long LATE_MICROS = 5_000;
    /** Histogram bounds (µs) exported from the 100 µs lateness histogram. */
    private static final long[] LATENESS_BOUNDS_MICROS = {100, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000};

    private final StreamingEngine engine;
    private final RtspStats rtsp;
    private final RequestCounts http;
    private final FileSystem fs;
    private final java.util.List<MetricsSection> extra;

    public ServerMetrics(StreamingEngine engine, RtspStats rtsp, RequestCounts http, FileSystem fs,
            java.util.List<MetricsSection> extra) {
        this.engine = engine;
        this.rtsp = rtsp;
        this.http = http;
        this.fs = fs;
        this.extra = java.util.List.copyOf(extra);
    }

    /** The whole scrape in Prometheus text format 0.0.4. */
    public String scrape() {
        PrometheusWriter w = new PrometheusWriter();
        streams(w);
        sends(w);
        lateness(w);
        pool(w);
        caches(w);
        queues(w);
        memberLatencies(w);
        requests(w, "ext3ns_http_requests_total", "HTTP requests answered, by method and status.", http);
        w.single("ext3ns_http_bytes_sent_total", Type.COUNTER,
                "HTTP body bytes of files (downloads, HLS segments) handed to the connections.", http.bodyBytes());
        requests(w, "ext3ns_rtsp_requests_total", "RTSP requests answered, by method and status.",
                rtsp.requestCounts());
        extra.forEach(section -> section.write(w));
        return w.text();
    }

    private void streams(PrometheusWriter w) {
        w.family("ext3ns_streams", Type.GAUGE, "RTSP sessions set up, by send path.");
        Map<String, Integer> byPath = rtsp.sessionsByPath();
        if (byPath.isEmpty()) {
            w.sample("ext3ns_streams", 0);
        }
        byPath.forEach((path, n) -> w.sample("ext3ns_streams", n, "path", path));
        w.single("ext3ns_streams_playing", Type.GAUGE, "RTSP sessions whose stream is sending now.",
                rtsp.playingCount());
        w.single("ext3ns_engine_sessions", Type.GAUGE, "Streaming-engine sessions not yet ended (all callers).",
                engine.liveSessions());
    }

    private void sends(PrometheusWriter w) {
        SendTotals t = engine.sendTotals();
        w.single("ext3ns_rtp_packets_sent_total", Type.COUNTER, "RTP packets handed to the kernel.",
                t.packets());
        w.single("ext3ns_rtp_bytes_sent_total", Type.COUNTER, "RTP payload bytes handed to the kernel.",
                t.payloadBytes());
        w.single("ext3ns_send_syscalls_total", Type.COUNTER, "Send system calls made by the RTP senders.",
                t.syscalls());
        w.single("ext3ns_send_retries_total", Type.COUNTER, "Sends refused for a transient reason and retried.",
                t.retries());
        w.single("ext3ns_send_errors_total", Type.COUNTER, "Hard send errors.", t.errors());
        w.single("ext3ns_send_dropped_total", Type.COUNTER, "Packets (RTP or RTCP) given up after a hard send error.",
                t.dropped());
    }

    private void lateness(PrometheusWriter w) {
        long[] hist = engine.latenessSnapshot();
        long total = 0;
        double lowerBoundSum = 0;
        for (int i = 0; i < hist.length; i++) {
            total += hist[i];
            lowerBoundSum += hist[i] * (i * (double) LatenessHistogram.BUCKET_MICROS);
        }
        w.single("ext3ns_late_packets_total", Type.COUNTER,
                "Paced packets that left more than 5 ms after their PCR schedule.",
                total - LatenessHistogram.countWithin(hist, LATE_MICROS));
        String name = "ext3ns_packet_lateness_seconds";
        w.family(name, Type.HISTOGRAM, "How late paced packets left against their PCR schedule "
                + "(100 us resolution; _sum counts each packet at its bucket's lower bound).");
        for (long bound : LATENESS_BOUNDS_MICROS) {
            w.sample(name + "_bucket", LatenessHistogram.countWithin(hist, bound), "le",
                    BigDecimal.valueOf(bound).movePointLeft(6).stripTrailingZeros().toPlainString()); // "0.0001", not "1.0E-4"
        }
        w.sample(name + "_bucket", total, "le", "+Inf");
        w.sample(name + "_sum", lowerBoundSum / 1e6);
        w.sample(name + "_count", total);
    }

    private void pool(PrometheusWriter w) {
        PoolMetrics p = engine.pool().metrics();
        w.single("ext3ns_pinned_units_in_use", Type.GAUGE, "Pinned units with at least one lease.", p.inUse());
        w.single("ext3ns_pinned_units_free", Type.GAUGE, "Pinned units ready to hand out.", p.free());
        w.single("ext3ns_pinned_units_peak", Type.GAUGE, "Most pinned units in use at once since start.",
                p.peakInUse());
        w.single("ext3ns_pinned_units_total", Type.GAUGE, "Pinned units in the pool.", p.total());
        w.single("ext3ns_pinned_unit_bytes", Type.GAUGE, "Bytes per pinned unit.", p.unitBytes());
        w.single("ext3ns_pinned_pool_exhausted_total", Type.COUNTER,
                "Unit acquisitions refused because no unit was free.", p.exhausted());
    }

    private void caches(PrometheusWriter w) {
        BlockCacheStats block = fs == null ? null : fs.blockCacheStats();
        if (block != null) {
            w.single("ext3ns_block_cache_hits_total", Type.COUNTER,
                    "Block cache lookups answered from a cached unit (FUSE reads, RTP and HTTP sends).", block.hits());
            w.single("ext3ns_block_cache_misses_total", Type.COUNTER,
                    "Block cache lookups that read the unit from the members.", block.misses());
            w.single("ext3ns_block_cache_bytes", Type.GAUGE, "Bytes of file data the block cache holds now.",
                    block.bytes());
            w.single("ext3ns_member_read_bytes_total", Type.COUNTER, "Bytes read from the members by every path"
                    + " (cache fills, read-ahead, metadata, the fast path, sendfile from member files).",
                    block.memberReadBytes());
        }
        CacheStats[] fsCaches = fs instanceof MetricsSource m ? m.cacheStats().toArray(CacheStats[]::new)
                : new CacheStats[0];
        if (fsCaches.length == 0) {
            return;
        }
        w.family("ext3ns_cache_hits_total", Type.COUNTER, "Cache lookups answered from memory.");
        for (CacheStats c : fsCaches) {
            w.sample("ext3ns_cache_hits_total", c.hits(), "cache", c.name());
        }
        w.family("ext3ns_cache_misses_total", Type.COUNTER, "Cache lookups that went to the device.");
        for (CacheStats c : fsCaches) {
            w.sample("ext3ns_cache_misses_total", c.misses(), "cache", c.name());
        }
        if (fsCaches.length > 0) {
            w.family("ext3ns_cache_entries", Type.GAUGE, "Entries held by the file system's caches.");
            for (CacheStats c : fsCaches) {
                w.sample("ext3ns_cache_entries", c.entries(), "cache", c.name());
            }
        }
    }

    private void queues(PrometheusWriter w) {
        int[] depths = fs instanceof MetricsSource m ? m.deviceQueueDepths() : new int[0];
        if (depths.length == 0) {
            return; // not an array: no per-member queues to report
        }
        w.family("ext3ns_sda_queue_depth", Type.GAUGE, "Stream Disk Array requests queued or in flight, by member.");
        for (int i = 0; i < depths.length; i++) {
            w.sample("ext3ns_sda_queue_depth", depths[i], "member", Integer.toString(i));
        }
    }

    private void memberLatencies(PrometheusWriter w) {
        List<MemberLatency> members = fs instanceof MetricsSource m ? m.deviceRequestLatencies() : List.of();
        if (members.isEmpty()) {
            return; // not an array
        }
        String name = "ext3ns_sda_request_seconds";
        w.family(name, Type.HISTOGRAM, "Stream Disk Array member requests (parts) from submission to completion, "
                + "queueing included, by member and operation; failed requests are not counted.");
        String[] le = bucketLabels(LatencyHistogram.boundsNanos());
        for (MemberLatency m : members) {
            String member = Integer.toString(m.member());
            histogram(w, name, le, m.reads(), "member", member, "op", "read");
            histogram(w, name, le, m.writes(), "member", member, "op", "write");
        }
    }

    /** One labelled series set of a histogram family: the buckets, +Inf, _sum (seconds) and _count. */
    private static void histogram(PrometheusWriter w, String name, String[] le, LatencyHistogram.Snapshot s,
            String... labels) {
        String[] withLe = Arrays.copyOf(labels, labels.length + 2);
        withLe[labels.length] = "le";
        for (int i = 0; i <= le.length; i++) {
            withLe[labels.length + 1] = i < le.length ? le[i] : "+Inf";
            w.sample(name + "_bucket", s.within(i), withLe);
        }
        w.sample(name + "_sum", s.sumNanos() / 1e9, labels);
        w.sample(name + "_count", s.count(), labels);
    }

    /** Bucket bounds in nanoseconds as Prometheus {@code le} values in seconds ("0.00001", not "1.0E-5"). */
    private static String[] bucketLabels(long[] boundsNanos) {
        String[] le = new String[boundsNanos.length];
        for (int i = 0; i < le.length; i++) {
            le[i] = BigDecimal.valueOf(boundsNanos[i]).movePointLeft(9).stripTrailingZeros().toPlainString();
        }
        return le;
    }

    private static void requests(PrometheusWriter w, String name, String help, RequestCounts counts) {
        w.family(name, Type.COUNTER, help);
        counts.snapshot().forEach((k, n) -> w.sample(name, n, "method", k.method(), "status",
                Integer.toString(k.status())));
    }
}
