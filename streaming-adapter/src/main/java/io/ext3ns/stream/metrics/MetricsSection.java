package io.ext3ns.stream.metrics;

/**
 * Metric families that a layer above the streaming server adds to its /metrics (the FUSE mount's request counters
 * when the server runs in the mounting process). Called on each scrape from the server's event-loop thread, so an
 * implementation reads thread-safe counters and writes whole families.
 */
@FunctionalInterface
public interface MetricsSection {
    void write(PrometheusWriter w);
}
