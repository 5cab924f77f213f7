package io.ext3ns.stream.conformance;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.ProbedPackets;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded, bounded fuzz of the server on loopback (issue 15): 3,600 mutated RTSP and HTTP requests (bytes flipped,
 * inserted and cut, numbers made huge, negative or junk, headers added and repeated, line ends changed, heads cut
 * short), on fresh connections from 8 threads, while ffmpeg plays a title over TCP. No answer may be a 500, no
 * exception may reach the log, the player's copy must be whole, and afterwards no session and no file descriptor
 * may be left over.
 */
class ServerFuzzTest {
    private static final long SEED = 0x15_15_15L;
    private static final int REQUESTS = 3600;
    private static final Pattern STATUS = Pattern.compile("(?:RTSP/1\\.0|HTTP/1\\.1) (\\d{3}) ");
    private static final Pattern SESSIONS = Pattern.compile("sessions: (\\d+)");

    private static final String[] RTSP = {
            "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n",
            "DESCRIBE rtsp://127.0.0.1/asset.ts RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n",
            "SETUP rtsp://127.0.0.1/asset.ts/trackID=0 RTSP/1.0\r\nCSeq: 3\r\n"
                    + "Transport: RTP/AVP;unicast;client_port=50000-50001\r\n\r\n",
            "SETUP rtsp://127.0.0.1/asset.ts/trackID=0 RTSP/1.0\r\nCSeq: 3\r\n"
                    + "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n",
            "PLAY rtsp://127.0.0.1/asset.ts/ RTSP/1.0\r\nCSeq: 4\r\nSession: 0123456789abcdef\r\nRange: npt=0-\r\n\r\n",
            "PAUSE rtsp://127.0.0.1/asset.ts/ RTSP/1.0\r\nCSeq: 5\r\nSession: 0123456789abcdef\r\n\r\n",
            "GET_PARAMETER rtsp://127.0.0.1/asset.ts RTSP/1.0\r\nCSeq: 6\r\nContent-Length: 12\r\n\r\next3ns.stats",
            "TEARDOWN rtsp://127.0.0.1/asset.ts/ RTSP/1.0\r\nCSeq: 7\r\nSession: 0123456789abcdef\r\n\r\n",
            "$\0\0\u0008\u0081\u00c9\0\u0001\0\0\0\u0001OPTIONS * RTSP/1.0\r\nCSeq: 8\r\n\r\n",
    };
    private static final String[] HTTP = {
            "GET /asset.ts HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1000\r\n\r\n",
            "HEAD /asset.ts HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n\r\n",
            "GET /asset.ts HTTP/1.1\r\nHost: h\r\nIf-Range: \"x\"\r\nRange: bytes=-500\r\nConnection: close\r\n\r\n",
            "GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /movies/../asset.ts HTTP/1.0\r\nIf-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n",
            "HEAD /asset.ts HTTP/1.1\r\nHost: h\r\nIf-Match: *\r\nIf-Unmodified-Since: Mon, 07 Dec 2026 00:00:00 GMT\r\n\r\n",
    };
    private static final String[] HEADERS = {"Range", "Transport", "Session", "CSeq", "Content-Length", "Require",
            "If-Match", "If-None-Match", "If-Range", "If-Modified-Since", "Host", "Connection", "Accept", "Scale"};
    private static final String[] VALUES = {"", "-1", "0", "99999999999999999999999", "npt=5-3", "npt=now-",
            "bytes=5-1", "bytes=-0", "bytes=0-,1-2", "RTP/AVP", ";", "RTP/AVP/TCP;interleaved=300-301",
            "RTP/AVP;unicast;client_port=0-0", "RTP/AVP;multicast", "smpte=0:10:00-", "\"a\", W/\"b\"", "*",
            "close", "x".repeat(3000), "%00", "\u00ff\u00fe", "1e9", "NaN", "0x10", "clock=19961108T142300Z-"};

    @Test
    void mutatedRequestsNeverBreakTheServer() throws Exception {
        Path dir = TestAsset.scratch("fuzz");
        byte[] asset = Files.readAllBytes(TestAsset.ts());
        PrintStream realErr = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try (TestStore store = TestStore.create(dir, 64L << 20)) {
            store.addFile("/asset.ts", asset);
            store.addSymlink("/escape.ts", "/etc/passwd");
            store.sync();
            ServerConfig config = ServerConfig.defaults().withEngine(DataPath.BATCHED, 1, 32L << 20)
                    .withSessionLimits(2000, 4000, Duration.ofSeconds(4))
                    .withConnectionLimits(6000, 6000, Duration.ofSeconds(2));
            try (StreamingServer server = StreamingServer.start(store.fs(), config)) {
                warmUp(server); // the batched sender's sockets exist from the first UDP session on
                System.setErr(new PrintStream(new TeeStream(realErr, log), true));
                Path playerDir = Files.createDirectories(dir.resolve("player"));
                Future<Path> player = pool.submit(() -> Players.FFMPEG.play(
                        "rtsp://127.0.0.1:" + server.rtspPort() + "/asset.ts", true, playerDir, 120));
                awaitSessions(server, 1, 20);
                int fdsBefore = openFds();
                List<Future<List<Integer>>> statuses = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    Random random = new Random(SEED + t);
                    statuses.add(pool.submit(() -> fuzz(server, random, REQUESTS / 8)));
                }
                List<Integer> all = new ArrayList<>();
                for (Future<List<Integer>> f : statuses) {
                    all.addAll(f.get());
                }
                assertFalse(all.contains(500), "a 500 among " + all.size() + " answers");
                assertTrue(all.size() > REQUESTS / 2, "answers to " + all.size() + " of " + REQUESTS + " requests");
                ProbedPackets.of(player.get()).assertWholeOf(ProbedPackets.of(TestAsset.ts()));
                awaitSessions(server, 0, 20); // the fuzz's SETUPs were never played: they end by time-out
                long start = System.nanoTime();
                int fds = openFds();
                while (fds > fdsBefore && System.nanoTime() - start < 20_000_000_000L) {
                    Thread.sleep(100); // closed connections are released by the loop
                    fds = openFds();
                }
                assertTrue(fds <= fdsBefore, fds + " descriptors open, " + fdsBefore + " before the fuzz");
                try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
                    assertEquals(200, c.request("OPTIONS", "*").status(), "still serving");
                }
            }
        } finally {
            System.setErr(realErr);
            pool.shutdownNow();
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertFalse(text.contains("Exception") || text.contains("\tat "), "exception in the log:\n" + text);
    }

    private static List<Integer> fuzz(StreamingServer server, Random random, int count) throws IOException {
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            boolean rtsp = random.nextBoolean();
            String[] templates = rtsp ? RTSP : HTTP;
            StringBuilder request = new StringBuilder();
            int n = 1 + random.nextInt(3); // pipelined
            for (int k = 0; k < n; k++) {
                request.append(mutate(templates[random.nextInt(templates.length)], random));
            }
            try (Socket s = new Socket("127.0.0.1", rtsp ? server.rtspPort() : server.httpPort())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
                s.shutdownOutput();
                byte[] answer = readAll(s);
                Matcher m = STATUS.matcher(new String(answer, StandardCharsets.ISO_8859_1));
                while (m.find()) {
                    statuses.add(Integer.parseInt(m.group(1)));
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer and no close in 10 s to: " + request, e);
            } catch (IOException e) {
                // reset after the server refused the request: allowed
            }
        }
        return statuses;
    }

    private static byte[] readAll(Socket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b = new byte[65536];
        for (int n; out.size() < 1 << 16 && (n = s.getInputStream().read(b)) >= 0; ) {
            out.write(b, 0, n); // enough for the status lines; closing on a body still coming resets it: fuzz too
        }
        return out.toByteArray();
    }

    /** One to three mutations of a request. */
    static String mutate(String template, Random random) {
        StringBuilder s = new StringBuilder(template);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && s.length() > 0; m++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(8)) {
                case 0 -> s.setCharAt(at, (char) random.nextInt(256)); // flip a byte
                case 1 -> s.insert(at, (char) random.nextInt(256));
                case 2 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(8)));
                case 3 -> { // a number made huge, negative or junk
                    Matcher d = Pattern.compile("\\d+").matcher(s);
                    List<int[]> spans = new ArrayList<>();
                    while (d.find()) {
                        spans.add(new int[]{d.start(), d.end()});
                    }
                    if (!spans.isEmpty()) {
                        int[] span = spans.get(random.nextInt(spans.size()));
                        s.replace(span[0], span[1], VALUES[random.nextInt(VALUES.length)]);
                    }
                }
                case 4 -> { // a header added after the request line
                    int line = s.indexOf("\r\n");
                    if (line >= 0) {
                        s.insert(line + 2, HEADERS[random.nextInt(HEADERS.length)] + ": "
                                + VALUES[random.nextInt(VALUES.length)] + "\r\n");
                    }
                }
                case 5 -> { // line ends: bare CR or bare LF
                    String end = random.nextBoolean() ? "\r" : "\n";
                    String replaced = s.toString().replace("\r\n", end);
                    s.setLength(0);
                    s.append(replaced);
                }
                case 6 -> s.setLength(at); // cut short
                default -> { // a line repeated
                    int line = s.indexOf("\r\n");
                    int next = line < 0 ? -1 : s.indexOf("\r\n", line + 2);
                    if (next > line) {
                        s.insert(line + 2, s.substring(line + 2, next + 2));
                    }
                }
            }
        }
        return s.toString();
    }

    private static void warmUp(StreamingServer server) throws IOException {
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            String url = "rtsp://127.0.0.1:" + server.rtspPort() + "/asset.ts";
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP;unicast;client_port=50002-50003");
            assertEquals(200, setup.status());
            assertEquals(200, c.request("TEARDOWN", url + "/", "Session: " + setup.header("Session").split(";")[0])
                    .status());
        }
    }

    private static int sessions(StreamingServer server) {
        Matcher m = SESSIONS.matcher(server.statsText());
        if (!m.find()) {
            throw new AssertionError("no session count in the stats");
        }
        return Integer.parseInt(m.group(1));
    }

    private static void awaitSessions(StreamingServer server, int expected, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        while (sessions(server) != expected && System.nanoTime() - start < seconds * 1_000_000_000L) {
            Thread.sleep(50);
        }
        assertEquals(expected, sessions(server), "sessions");
    }

    private static int openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        }
    }

    /** Writes to two streams: what is logged still shows, and the test reads it. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final ByteArrayOutputStream b;

        TeeStream(java.io.OutputStream a, ByteArrayOutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws IOException {
            a.write(x);
            synchronized (b) {
                b.write(x);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }
    }
}
