package io.ext3ns.stream.server;

import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Session limits, time-outs, keep-alive and the stats parameter, on a server with small limits. */
class SessionLimitsTest {
    @TempDir
    static Path dir;
    private static TestStore store;
    private static StreamingServer server;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        byte[] asset = Files.readAllBytes(TestAsset.ts());
        store = TestStore.create(dir, 16L << 20);
        store.addFile("/short.ts", Arrays.copyOf(asset, 188 * 2000));
        store.addFile("/not-ts.bin", new byte[188 * 100]);
        server = StreamingServer.start(store.fs(), ServerConfig.defaults()
                .withSessionLimits(2, 3, Duration.ofSeconds(2)).withEngine(
                        io.ext3ns.stream.session.DataPath.FAST, 1, 8L << 20));
        url = "rtsp://127.0.0.1:" + server.rtspPort() + "/short.ts";
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            server.close();
        } finally {
            store.close();
        }
    }

    private static String setup(RtspClient c, int port) throws Exception {
        RtspClient.Reply r = c.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP;unicast;client_port=" + port + "-" + (port + 1));
        return r.status() == 200 ? "Session: " + r.header("Session").split(";")[0] : String.valueOf(r.status());
    }

    @Test
    void aSilentConnectionIsClosedAfterTheTimeOut() throws Exception {
        try (java.net.Socket silent = new java.net.Socket("127.0.0.1", server.rtspPort())) {
            silent.setSoTimeout(15000);
            silent.getOutputStream().write("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n".getBytes()); // never finished
            long start = System.nanoTime();
            assertEquals(-1, silent.getInputStream().read(), "the server closes the connection");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds > 5 && seconds < 12, "closed after " + seconds + " s (time-out 2 s + 5 s)");
        }
    }

    @Test
    void limitsTimeOutsAndKeepAlive() throws Exception {
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            String kept = setup(c, 40000);
            String idle = setup(c, 40002);
            assertTrue(kept.startsWith("Session: ") && idle.startsWith("Session: "));
            assertEquals("453", setup(c, 40004), "third session of one client");
            assertEquals(459, c.request("SETUP", url + "/trackID=0", kept,
                    "Transport: RTP/AVP;unicast;client_port=40006-40007").status());
            // played once: a session never played ends after the (shorter) un-played time-out whatever it sends
            assertEquals(200, c.request("PLAY", url, kept, "Range: npt=0-").status());
            assertEquals(200, c.request("PAUSE", url, kept).status());
            for (int i = 0; i < 6; i++) { // 3 s: past the 2 s time-out for the idle session only
                Thread.sleep(500);
                assertEquals(200, c.request("GET_PARAMETER", url, kept).status());
            }
            assertEquals(454, c.request("PLAY", url, idle).status(), "idle session outlived its time-out");
            assertEquals(200, c.request("PLAY", url, kept, "Range: npt=0-").status());
            assertEquals(200, c.request("PAUSE", url, kept).status());
            RtspClient.Reply stats = c.requestWithBody("GET_PARAMETER", url, "ext3ns.stats", kept);
            assertEquals(200, stats.status());
            assertTrue(stats.body().contains("sessions: 1\r\n"), stats.body());
            assertTrue(stats.body().contains("paths: udp-fast=1"), stats.body());
            assertEquals(451, c.requestWithBody("GET_PARAMETER", url, "no.such.parameter", kept).status());
            assertEquals(415, c.request("DESCRIBE", "rtsp://127.0.0.1:" + server.rtspPort() + "/not-ts.bin")
                    .status());
            assertEquals(200, c.request("TEARDOWN", url, kept).status());
        }
    }
}
