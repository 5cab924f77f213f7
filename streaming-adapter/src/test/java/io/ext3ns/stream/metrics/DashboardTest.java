package io.ext3ns.stream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.PrometheusScrape;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in dist/grafana asks only for what /metrics really exports: every ext3ns_* name in a panel's
 * PromQL is a family of a real scrape (a histogram's _bucket/_count/_sum of a histogram family), and every label a
 * panel groups by or shows in its legend is a label that family's series carry. The scrape comes from a real server
 * on a 2-member Stream Disk Array (so the array's queue depths and member latencies are there) with one RTSP session
 * set up, one HTTP request answered and the file read once over HTTP (its member reads are timed). The
 * ext3ns_fuse_* panels are checked against a real mount's scrape by fuse-mount's FuseMetricsTest.
 */
class DashboardTest {
    private static final Path DASHBOARD = Path.of("").toAbsolutePath().getParent()
            .resolve("dist/grafana/ext3ns-dashboard.json");
    private static final Pattern EXPR = Pattern.compile("\"expr\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern LEGEND = Pattern.compile("\"legendFormat\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern METRIC = Pattern.compile("\\bext3ns_[a-z0-9_]+");
    private static final Pattern BY = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
    /** Labels Prometheus adds at scrape time (the dashboard's $job and $instance variables), not the exporter. */
    private static final Set<String> TARGET_LABELS = Set.of("job", "instance", "le");

    @Test
    void everyMetricAndLabelTheDashboardUsesIsExported() throws Exception {
        String json = Files.readString(DASHBOARD);
        List<String[]> queries = queries(json);
        assertTrue(queries.size() >= 9, "panels' queries: " + queries.size());
        PrometheusScrape scrape = realScrape();
        Set<String> used = new LinkedHashSet<>();
        for (String[] q : queries) {
            String expr = q[0];
            if (expr.contains("ext3ns_fuse_")) {
                continue; // the mount process adds these; FuseMetricsTest checks them against a real mount's scrape
            }
            List<String> families = new ArrayList<>();
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                String family = family(scrape, m.group());
                assertTrue(family != null, "the dashboard asks for " + m.group() + ", which /metrics does not export"
                        + " (query: " + expr + ")");
                families.add(family);
                used.add(family);
            }
            assertFalse(families.isEmpty(), "a query without an ext3ns metric: " + expr);
            Set<String> labels = new LinkedHashSet<>();
            Matcher by = BY.matcher(expr);
            while (by.find()) {
                for (String l : by.group(1).split(",")) {
                    labels.add(l.strip());
                }
            }
            Matcher legend = LEGEND_LABEL.matcher(q[1]);
            while (legend.find()) {
                labels.add(legend.group(1));
            }
            labels.removeAll(TARGET_LABELS);
            for (String label : labels) {
                assertTrue(families.stream().anyMatch(f -> carries(scrape, f, label)),
                        "no series of " + families + " carries the label " + label + " (query: " + expr + ")");
            }
        }
        for (String wanted : List.of("ext3ns_streams", "ext3ns_rtp_bytes_sent_total", "ext3ns_late_packets_total",
                "ext3ns_packet_lateness_seconds", "ext3ns_cache_hits_total", "ext3ns_sda_queue_depth",
                "ext3ns_sda_request_seconds")) {
            assertTrue(used.contains(wanted), "the dashboard has no panel on " + wanted);
        }
    }

    /** The family a name in PromQL belongs to, or null when the scrape has none. */
    private static String family(PrometheusScrape scrape, String name) {
        if (scrape.type(name) != null) {
            return name;
        }
        String base = name.replaceFirst("_(bucket|count|sum)$", "");
        return !base.equals(name) && "histogram".equals(scrape.type(base)) ? base : null;
    }

    private static boolean carries(PrometheusScrape scrape, String family, String label) {
        return scrape.seriesKeys().stream().filter(k -> k.startsWith(family + "{") || k.startsWith(family + "_"))
                .anyMatch(k -> k.contains("{" + label + "=\"") || k.contains("," + label + "=\""));
    }

    /** [expr, legendFormat] of every target, in order (a legend-less target has ""). */
    private static List<String[]> queries(String json) {
        List<String[]> out = new ArrayList<>();
        for (String target : json.split("\"refId\"")) {
            Matcher e = EXPR.matcher(target);
            if (e.find()) {
                Matcher l = LEGEND.matcher(target);
                out.add(new String[] {unescape(e.group(1)), l.find() ? unescape(l.group(1)) : ""});
            }
        }
        return out;
    }

    private static String unescape(String jsonString) {
        return jsonString.replace("\\\"", "\"").replace("\\\\", "\\");
    }

    private static PrometheusScrape realScrape() throws Exception {
        try (TestStore store = TestStore.createArray(TestAsset.scratch("dashboard"), 2, 48L << 20)) {
            store.addFile("/asset.ts", Files.readAllBytes(TestAsset.ts()));
            store.sync();
            try (StreamingServer server = StreamingServer.start(store.fs(),
                         ServerConfig.defaults().withEngine(DataPath.BATCHED, 1, 16L << 20));
                 RtspClient rtsp = new RtspClient("127.0.0.1", server.rtspPort());
                 RtpReceiver rx = new RtpReceiver()) {
                // one session set up (not playing), so the per-path stream series carries its label
                String url = "rtsp://127.0.0.1:" + server.rtspPort() + "/asset.ts";
                int port = rx.address().getPort();
                RtspClient.Reply setup = rtsp.request("SETUP", url + "/trackID=0",
                        "Transport: RTP/AVP;unicast;client_port=" + port + "-" + (port + 1));
                assertEquals(200, setup.status());
                HttpClient http = HttpClient.newHttpClient();
                URI base = URI.create("http://127.0.0.1:" + server.httpPort());
                assertEquals(404, http.send(HttpRequest.newBuilder(base.resolve("/missing.ts")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()); // HTTP requests have a labelled series
                PrometheusScrape before = scrape(http, base);
                // a real read of the file from the array: the member latency series count it (the block cache is
                // dropped first: the SETUP's seek-index scan may have cached the file already)
                ((io.ext3ns.fs.engine.Ext3FileSystem) store.fs()).dropCaches();
                assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/asset.ts")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
                PrometheusScrape scrape = scrape(http, base);
                for (String member : List.of("0", "1")) {
                    String reads = "ext3ns_sda_request_seconds_count{member=\"" + member + "\",op=\"read\"}";
                    assertTrue(scrape.value(reads) > before.value(reads), "the file's reads from member " + member
                            + " are not timed: " + before.value(reads) + " then " + scrape.value(reads));
                }
                assertEquals(200, rtsp.request("TEARDOWN", url, "Session: " + setup.header("Session").split(";")[0])
                        .status());
                return scrape;
            }
        }
    }

    private static PrometheusScrape scrape(HttpClient http, URI base) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode());
        return PrometheusScrape.parse(r.body());
    }
}
