package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fuse.ops.FuseRequestMetrics;
import io.ext3ns.stream.metrics.PrometheusWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FUSE requests by operation in the mount's /metrics: a histogram whose buckets add up, and, on a real mount with
 * -o http=PORT, counts that follow what a test did through the mount (writes, reads, a failed lookup); the Grafana
 * dashboard's ext3ns_fuse_* queries name only families and labels that scrape has.
 */
class FuseMetricsTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-z0-9_]+)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);
    private static final Pattern FUSE_NAME = Pattern.compile("\\bext3ns_fuse_[a-z0-9_]+");

    @Test
    void histogramBucketsAreCumulativeAndAddUpToTheCount() {
        FuseRequestMetrics m = new FuseRequestMetrics();
        m.record("read", 5_000, false);          // <= 10 us
        m.record("read", 30_000, false);         // <= 50 us
        m.record("read", 2_000_000_000L, true);  // beyond 1 s: only +Inf
        PrometheusWriter w = new PrometheusWriter();
        m.write(w);
        Map<String, Double> s = samples(w.text());
        assertEquals(3, s.get("ext3ns_fuse_requests_total{op=\"read\"}"));
        assertEquals(1, s.get("ext3ns_fuse_errors_total{op=\"read\"}"));
        String b = "ext3ns_fuse_request_duration_seconds_bucket{op=\"read\",le=\"";
        assertEquals(1, s.get(b + "0.00001\"}"));
        assertEquals(1, s.get(b + "0.000025\"}"));
        assertEquals(2, s.get(b + "0.00005\"}"));
        assertEquals(2, s.get(b + "1\"}"));
        assertEquals(3, s.get(b + "+Inf\"}"));
        assertEquals(3, s.get("ext3ns_fuse_request_duration_seconds_count{op=\"read\"}"));
        assertEquals(2.000035, s.get("ext3ns_fuse_request_duration_seconds_sum{op=\"read\"}"), 1e-9);
    }

    @Test
    void aRealMountCountsItsRequestsAndTheDashboardAsksForThem(@TempDir Path tmp) throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("img"), 64L << 20, 4096);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Double> scrape = new LinkedHashMap<>();
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Path log = tmp.resolve("mount.log");
        // a small pinned pool: the default 1 GiB took most of this test's time
        List<String> cmd = MountProcess.command(image.toString(), mnt.toString(), "-f", "-o",
                "http=" + port + ",pool=8M");
        try (NotifySocket socket = new NotifySocket(tmp.resolve("notify"))) {
            // no configuration file: an empty EXT3NS_CONF path would be the default one, so name a missing file
            Process mount = socket.startService(List.of(),
                    cmd.subList(cmd.indexOf(MountMain.class.getName()), cmd.size()),
                    Map.of("EXT3NS_CONF", tmp.resolve("none.conf").toString()), log);
            try {
                String ready = socket.receive(mount, 120); // the HTTP port listens once READY=1 is sent
                assertTrue(ready.startsWith("READY=1"), ready);
                byte[] data = new byte[3 << 20];
                new Random(7).nextBytes(data);
                Path file = mnt.resolve("f.bin");
                Files.write(file, data);
                assertEquals(data.length, Files.readAllBytes(file).length);
                assertThrows(NoSuchFileException.class, () -> Files.size(mnt.resolve("missing")));
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                scrape.putAll(samples(r.body()));
                assertEquals(0, MountProcess.fusermountUnmount(mnt).exit());
                assertTrue(mount.waitFor(120, TimeUnit.SECONDS), "mount process still running");
                assertEquals(0, mount.exitValue(), Files.readString(log));
            } finally {
                MountProcess.endService(mount, mnt);
            }
        }
        TestImages.assertFsckClean(image);
        for (String op : new String[] {"write", "read", "getattr", "create"}) {
            double n = scrape.getOrDefault("ext3ns_fuse_requests_total{op=\"" + op + "\"}", 0.0);
            assertTrue(n >= 1, op + ": " + n);
            assertEquals(n, scrape.get("ext3ns_fuse_request_duration_seconds_count{op=\"" + op + "\"}"), op);
            assertEquals(n, scrape.get("ext3ns_fuse_request_duration_seconds_bucket{op=\"" + op + "\",le=\"+Inf\"}"));
        }
        assertTrue(scrape.get("ext3ns_fuse_errors_total{op=\"getattr\"}") >= 1, "the failed lookup");
        // 3 MiB in requests of at most 1 MiB (libfuse 3) or 128 KiB (libfuse 2): at least 3 writes
        assertTrue(scrape.get("ext3ns_fuse_requests_total{op=\"write\"}") >= 3);

        String dashboard = Files.readString(Path.of("").toAbsolutePath().getParent()
                .resolve("dist/grafana/ext3ns-dashboard.json"));
        Matcher m = FUSE_NAME.matcher(dashboard);
        int asked = 0;
        while (m.find()) {
            String name = m.group();
            asked++;
            assertTrue(scrape.keySet().stream().anyMatch(k -> k.startsWith(name + "{op=\"")),
                    "the dashboard asks for " + name + " by op, which the mount's /metrics does not export");
        }
        assertTrue(asked >= 4, "the dashboard has no FUSE panels");
    }

    /** NAME{labels} -> value for every sample line of a Prometheus text scrape. */
    private static Map<String, Double> samples(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)),
                    Double.parseDouble(m.group(3).replace("Inf", "Infinity")));
        }
        return out;
    }
}
