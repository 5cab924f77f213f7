package io.ext3ns.stream.metrics;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.PrometheusScrape;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.RtpReceiver;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} and the session log on a real server: a 2-member Stream Disk Array formatted by our
 * formatter, opened by the engine, one RTSP stream over UDP played for about a second, then paused and torn down,
 * and one HTTP range request. Each scrape must parse as Prometheus text; the counters must move as the stream does.
 */
class MetricsEndpointTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static byte[] asset;
    private static TestStore store;
    private static StreamingServer server;

    @BeforeAll
    static void start() throws Exception {
        asset = Files.readAllBytes(TestAsset.ts());
        store = TestStore.createArray(TestAsset.scratch("metrics"), 2, 48L << 20);
        store.addFile("/asset.ts", asset);
        store.sync();
        server = StreamingServer.start(store.fs(), ServerConfig.defaults().withEngine(DataPath.BATCHED, 2, 32L << 20));
    }

    @AfterAll
    static void stop() throws IOException {
        try (TestStore s = store; StreamingServer srv = server) {
            // closed in reverse order: the server first, then the store it serves (null ones are skipped)
        }
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.httpPort() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
    }

    private static PrometheusScrape scrape() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        return PrometheusScrape.parse(r.body());
    }

    @Test
    void scrapeFollowsAStreamAndTheLogTellsItsLife() throws Exception {
        PrometheusScrape idle = scrape();
        assertEquals("counter", idle.type("ext3ns_rtp_packets_sent_total"));
        assertEquals("histogram", idle.type("ext3ns_packet_lateness_seconds"));
        assertEquals(0, idle.sum("ext3ns_streams"));
        for (String cache : List.of("inode", "metadata", "directory", "data")) {
            assertTrue(idle.has("ext3ns_cache_hits_total{cache=\"" + cache + "\"}"), cache);
            assertTrue(idle.has("ext3ns_cache_misses_total{cache=\"" + cache + "\"}"), cache);
        }
        assertTrue(idle.value("ext3ns_cache_misses_total{cache=\"metadata\"}") > 0, "opening the store read blocks");
        assertEquals(0, idle.value("ext3ns_sda_queue_depth{member=\"0\"}"));
        assertEquals(0, idle.value("ext3ns_sda_queue_depth{member=\"1\"}"));
        assertTrue(!idle.has("ext3ns_sda_queue_depth{member=\"2\"}"), "one line per member of the array");
        assertEquals("histogram", idle.type("ext3ns_sda_request_seconds"));
        assertTrue(!idle.has("ext3ns_sda_request_seconds_count{member=\"2\",op=\"read\"}"), "two members only");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        String url = "rtsp://127.0.0.1:" + server.rtspPort() + "/asset.ts";
        String session;
        PrometheusScrape playing;
        PrometheusScrape later;
        PrometheusScrape after;
        long received;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8)); // slf4j-simple writes to System.err
        try (RtspClient rtsp = new RtspClient("127.0.0.1", server.rtspPort()); RtpReceiver rx = new RtpReceiver()) {
            int port = rx.address().getPort();
            RtspClient.Reply setup = rtsp.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP;unicast;client_port=" + port + "-" + (port + 1));
            assertEquals(200, setup.status());
            session = setup.header("Session").split(";")[0];
            assertEquals(200, rtsp.request("PLAY", url, "Session: " + session, "Range: npt=0-").status());
            assertTrue(rx.awaitBytes(100_000, 10_000), "the stream arrives");
            Thread.sleep(500);
            playing = scrape();
            Thread.sleep(400);
            later = scrape();
            assertEquals(200, rtsp.request("PAUSE", url, "Session: " + session).status());
            HttpResponse<String> range = get("/asset.ts", "Range", "bytes=1000-1999");
            assertEquals(206, range.statusCode());
            assertEquals(1000, range.body().length());
            assertEquals(200, rtsp.request("TEARDOWN", url, "Session: " + session).status());
            after = awaitNoStreams();
            received = rx.payloadBytes();
        } finally {
            System.setErr(stderr);
        }
        stderr.print(log.toString(StandardCharsets.UTF_8));

        assertEquals(1, playing.value("ext3ns_streams{path=\"udp-batched\"}"));
        assertEquals(1, playing.value("ext3ns_streams_playing"));
        assertEquals(1, playing.value("ext3ns_engine_sessions"));
        double packets = playing.value("ext3ns_rtp_packets_sent_total");
        double bytes = playing.value("ext3ns_rtp_bytes_sent_total");
        assertTrue(packets > 50 && bytes >= 100_000, packets + " packets, " + bytes + " bytes");
        assertTrue(later.value("ext3ns_rtp_packets_sent_total") > packets, "packets counter grows while playing");
        assertTrue(later.value("ext3ns_rtp_bytes_sent_total") > bytes, "bytes counter grows while playing");
        assertTrue(after.value("ext3ns_rtp_packets_sent_total") >= later.value("ext3ns_rtp_packets_sent_total"),
                "an ended session's packets stay counted");
        assertTrue(after.value("ext3ns_rtp_bytes_sent_total") >= received && received > 0,
                "sent counts what the receiver got: " + received);

        for (PrometheusScrape s : List.of(playing, later, after)) {
            assertEquals(s.value("ext3ns_pinned_units_total"),
                    s.value("ext3ns_pinned_units_in_use") + s.value("ext3ns_pinned_units_free"), "pool adds up");
            assertTrue(s.value("ext3ns_pinned_units_peak") >= s.value("ext3ns_pinned_units_in_use"));
            double count = s.value("ext3ns_packet_lateness_seconds_count");
            assertEquals(count, s.value("ext3ns_packet_lateness_seconds_bucket{le=\"+Inf\"}"));
            assertTrue(s.value("ext3ns_late_packets_total")
                    == count - s.value("ext3ns_packet_lateness_seconds_bucket{le=\"0.005\"}"), "late = over 5 ms");
        }
        assertTrue(playing.value("ext3ns_block_cache_bytes") >= 1, "a playing stream's units are in the cache");
        assertTrue(playing.value("ext3ns_packet_lateness_seconds_count") > 0, "paced packets are timed");
        assertTrue(playing.value("ext3ns_block_cache_misses_total") >= 1, "units were read");
        assertTrue(playing.value("ext3ns_member_read_bytes_total") >= playing.value("ext3ns_block_cache_bytes"),
                "what the cache holds was read from the members");
        for (String name : List.of("ext3ns_block_cache_hits_total", "ext3ns_block_cache_misses_total",
                "ext3ns_member_read_bytes_total")) {
            assertEquals("counter", idle.type(name), name);
            assertTrue(after.value(name) >= playing.value(name), name + " never goes back");
        }
        assertEquals("gauge", idle.type("ext3ns_block_cache_bytes"));
        for (String member : List.of("0", "1")) {
            for (PrometheusScrape s : List.of(idle, playing, after)) {
                for (String op : List.of("read", "write")) {
                    assertMemberHistogram(s, member, op);
                }
            }
            String reads = "ext3ns_sda_request_seconds_count{member=\"" + member + "\",op=\"read\"}";
            // every unit read is a split block: one part on each member, timed before the read completes
            assertTrue(playing.value(reads) > idle.value(reads), "units read from member " + member + " are timed");
            assertTrue(after.value(reads) >= playing.value(reads), "a counter");
        }
        assertEquals(0, after.sum("ext3ns_streams"));
        assertEquals(0, after.value("ext3ns_pinned_units_in_use"), "units are back after TEARDOWN");
        assertEquals(1, after.value("ext3ns_http_requests_total{method=\"GET\",status=\"206\"}"));
        assertEquals(1000, after.value("ext3ns_http_bytes_sent_total"), "the one range's body");
        assertTrue(after.value("ext3ns_http_requests_total{method=\"GET\",status=\"200\"}") >= 3, "the scrapes");
        for (String m : List.of("SETUP", "PLAY", "PAUSE", "TEARDOWN")) {
            assertEquals(1, after.value("ext3ns_rtsp_requests_total{method=\"" + m + "\",status=\"200\"}"), m);
        }

        String text = log.toString(StandardCharsets.UTF_8);
        String common = "session=" + session + " event=%s client=127.0.0.1 file=/asset.ts transport=udp "
                + "data_path=udp-batched";
        assertLine(text, String.format(common, "SETUP"));
        assertLine(text, String.format(common, "PLAY") + " from=0.000s");
        assertLine(text, String.format(common, "PAUSE") + " at=\\d+\\.\\d{3}s");
        Matcher teardown = assertLine(text, String.format(common, "TEARDOWN") + " packets=(\\d+) bytes=(\\d+)");
        assertTrue(Long.parseLong(teardown.group(2)) >= 100_000, "teardown line carries the bytes sent");
        assertLine(text, "http client=127\\.0\\.0\\.1 GET /asset\\.ts status=206 range=1000-1999/" + asset.length
                + " served bytes=1000");
        assertEquals(4, text.lines().filter(l -> l.contains("session=" + session)).count(),
                "one line per event, none per packet:\n" + text);
    }

    /** One member's latency histogram for {@code op}: every bucket present, cumulative, +Inf = _count. */
    private static void assertMemberHistogram(PrometheusScrape s, String member, String op) {
        String labels = "member=\"" + member + "\",op=\"" + op + "\"";
        double previous = 0;
        int buckets = 0;
        for (String key : s.seriesKeys()) {
            if (key.startsWith("ext3ns_sda_request_seconds_bucket{" + labels + ",le=")) {
                assertTrue(s.value(key) >= previous, "cumulative: " + key);
                previous = s.value(key);
                buckets++;
            }
        }
        assertEquals(18, buckets, "17 bounds from 10 us to 2.5 s and +Inf, for " + labels);
        double count = s.value("ext3ns_sda_request_seconds_count{" + labels + "}");
        assertEquals(count, s.value("ext3ns_sda_request_seconds_bucket{" + labels + ",le=\"+Inf\"}"));
        assertTrue(s.value("ext3ns_sda_request_seconds_bucket{" + labels + ",le=\"0.00001\"}") <= count);
        assertTrue(s.value("ext3ns_sda_request_seconds_sum{" + labels + "}") >= 0);
        assertTrue(count == 0 || s.value("ext3ns_sda_request_seconds_sum{" + labels + "}") > 0, labels);
    }

    private static Matcher assertLine(String log, String regex) {
        Matcher m = Pattern.compile("(?m)^.*INFO .*" + regex + "$").matcher(log);
        assertTrue(m.find(), "no log line /" + regex + "/ in:\n" + log);
        return m;
    }

    /** Scrapes until the torn-down session has released everything (the engine ends it asynchronously). */
    private static PrometheusScrape awaitNoStreams() throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        PrometheusScrape s = scrape();
        while ((s.value("ext3ns_engine_sessions") > 0 || s.value("ext3ns_pinned_units_in_use") > 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = scrape();
        }
        return s;
    }
}
