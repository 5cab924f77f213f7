package io.ext3ns.stream.web;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web page in a real browser: Debian's Chromium, headless, opens {@code /}, which lists the store's titles from
 * {@code /api/titles}; the test presses a title's Play button and waits (deadline 90 s) until the video's
 * currentTime is past 3 s, failing at once on any error the page recorded (the video element's error event, a
 * fatal hls.js error). The page's /metrics numbers must have been drawn too. The screenshot is kept as
 * target/web-page.png.
 */
class WebPageBrowserTest {
    private static TestStore store;
    private static StreamingServer server;

    @BeforeAll
    static void start() throws Exception {
        byte[] title = Files.readAllBytes(TestAsset.ts()); // 10 s of H.264 + AAC
        store = TestStore.create(TestAsset.scratch("web"), 32L << 20);
        store.addFile("/films/test pattern.ts", title);
        store.addFile("/readme.txt", "not a title".getBytes());
        store.sync();
        server = StreamingServer.start(store.fs(), ServerConfig.defaults().withPorts(-1, 0)
                .withEngine(DataPath.BATCHED, 1, 16L << 20));
    }

    @AfterAll
    static void stop() throws IOException {
        try (TestStore s = store; StreamingServer srv = server) {
            // the server first, then the store it serves
        }
    }

    @Test
    void titlesApi() throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort() + "/api/titles")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        String json = r.body();
        assertTrue(json.contains("\"path\":\"/films/test pattern.ts\"") && json.contains("\"name\":\"test pattern.ts\"")
                && json.contains("\"url\":\"/films/test%20pattern.ts\"")
                && json.contains("\"hls\":\"/films/test%20pattern.ts/master.m3u8\""), json);
        assertTrue(json.matches("(?s).*\"duration\":10\\.[0-9]{3}.*") && json.contains("\"H.264 (avc1.")
                && json.contains("\"AAC (mp4a.40.2)\""), json);
        assertTrue(!json.contains("readme"), json);
    }

    @Test
    void playsATitleInChromium() throws Exception {
        String page = "http://127.0.0.1:" + server.httpPort() + "/";
        try (HeadlessChromium chromium = new HeadlessChromium(page)) {
            String codecs = chromium.eval("String(MediaSource.isTypeSupported('video/mp4; codecs=\"avc1.42E01E\"'))");
            assertEquals("true", codecs, "this Chromium plays no H.264 through Media Source Extensions");
            waitFor(chromium, "document.querySelectorAll('#titles tbody button').length", "1", 60);
            chromium.eval("document.querySelector('#titles tbody button').click(), 'clicked'");
            long deadline = System.nanoTime() + 90_000_000_000L;
            String state = "";
            while (System.nanoTime() < deadline) {
                state = chromium.eval("JSON.stringify({t: document.getElementById('player').currentTime, "
                        + "errors: window.ext3ns.errors, scrapes: window.ext3ns.scrapes || 0, "
                        + "numbers: document.getElementById('numbers').textContent})");
                assertTrue(state.contains("\"errors\":[]"), "the page recorded an error: " + state);
                double t = Double.parseDouble(state.replaceAll(".*\"t\":([0-9.eE+-]+).*", "$1"));
                if (t > 3) {
                    break;
                }
                Thread.sleep(200); // polling a condition, with the deadline above
            }
            Path shot = Path.of("target", "web-page.png");
            Files.createDirectories(shot.getParent());
            Files.write(shot, chromium.screenshot());
            double t = Double.parseDouble(state.replaceAll(".*\"t\":([0-9.eE+-]+).*", "$1"));
            assertTrue(t > 3, "video.currentTime did not pass 3 s: " + state + "\n" + chromium.log());
            assertTrue(state.matches(".*\"numbers\":\"streams: \\d+ · Gbit/s: [0-9.]+ · cache hit rate: .*"),
                    "the /metrics numbers were not drawn: " + state);
        }
    }

    private static void waitFor(HeadlessChromium chromium, String expression, String want, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String got = "";
        while (System.nanoTime() < deadline) {
            got = chromium.eval("String(" + expression + ")");
            if (got.equals(want)) {
                return;
            }
            Thread.sleep(100); // polling a condition, with the deadline above
        }
        throw new AssertionError(expression + " is " + got + ", not " + want + " after " + seconds + " s\n"
                + chromium.log());
    }

}
