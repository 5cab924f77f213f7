package io.ext3ns.stream.server;

import io.ext3ns.stream.testing.ProbedPackets;
import io.ext3ns.stream.testing.Processes;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server with real players on a real store (formatted by our formatter, opened by the engine): ffmpeg over RTSP
 * (UDP and TCP-interleaved, eight at once, one seeking), a PAUSE and resume driven by hand, HTTP byte ranges, and
 * bad requests, a player that stops reading and one that vanishes, all while the players stream. Streams are paced in real time (10 s), so everything runs
 * concurrently and the test takes about 15 s.
 */
class StreamingServerEndToEndTest {
    private static byte[] asset;
    private static ProbedPackets source;
    private static Path storeDir;
    private static TestStore store;
    private static StreamingServer server;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        Path assetPath = TestAsset.ts();
        asset = Files.readAllBytes(assetPath);
        source = ProbedPackets.of(assetPath);
        storeDir = TestAsset.scratch("store");
        store = TestStore.create(storeDir, 64L << 20);
        store.addFile("/asset.ts", asset);
        store.addFile("/movies/copy.ts", asset);
        store.addSymlink("/escape.ts", "/etc/passwd");
        store.addSymlink("/movies/up.ts", "../../etc/passwd");
        store.addSymlink("/movies/inside.ts", "../asset.ts");
        store.sync();
        server = StreamingServer.start(store.fs(), ServerConfig.defaults().withEngine(
                io.ext3ns.stream.session.DataPath.BATCHED, 2, 64L << 20));
        base = "rtsp://127.0.0.1:" + server.rtspPort();
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    private static Future<Path> ffmpeg(ExecutorService pool, Path dir, String name, List<String> args) {
        return pool.submit(() -> {
            Path out = dir.resolve(name + ".ts");
            List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
            cmd.addAll(args);
            cmd.addAll(List.of("-map", "0", "-c", "copy", "-f", "mpegts", out.toString()));
            Processes.run(cmd, 60);
            return out;
        });
    }

    @Test
    void realPlayersGetTheStreamWhileBadRequestsAreRefused(@TempDir Path dir) throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        try (RtspClient stalled = new RtspClient("127.0.0.1", server.rtspPort())) {
            playWithoutReading(stalled);
            vanishAfterPlay();
            List<Future<Path>> whole = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String transport = i % 2 == 0 ? "udp" : "tcp";
                String url = base + (i == 7 ? "/movies/inside.ts" : "/asset.ts");
                whole.add(ffmpeg(pool, dir, "whole" + i, List.of("-rtsp_transport", transport, "-i", url)));
            }
            Future<Path> seek = ffmpeg(pool, dir, "seek",
                    List.of("-ss", "5", "-rtsp_transport", "tcp", "-i", base + "/asset.ts"));
            Future<?> pauseResume = pool.submit(() -> {
                pauseAndResumeDeliversEveryByte();
                return null;
            });
            Future<?> seekByHand = pool.submit(() -> {
                seekStartsAtTheKeyFrameBeforeTheRange();
                return null;
            });

            Thread.sleep(1500); // the players are streaming now
            badRequestsGetTheirStatus();
            httpRangesReturnTheExactBytes();

            for (int i = 0; i < whole.size(); i++) {
                try {
                    ProbedPackets.of(whole.get(i).get(60, TimeUnit.SECONDS)).assertWholeOf(source);
                } catch (AssertionError e) {
                    throw new AssertionError("player " + i + " (" + (i % 2 == 0 ? "udp" : "tcp") + "): "
                            + e.getMessage(), e);
                }
            }
            var starts = ProbedPackets.of(seek.get(60, TimeUnit.SECONDS)).assertContiguousRunOf(source);
            double firstPts = source.streams().get(0).get(0).ptsSeconds();
            double seekPts = source.streams().get(0).get(starts.get(0)).ptsSeconds() - firstPts;
            // with -c copy, ffmpeg drops what precedes 5 s and then waits for a key frame (2 s GOP): 4..6 s. That
            // the server itself jumps to the key frame before the Range is checked by seekStartsAtTheKeyFrame...
            assertTrue(seekPts >= 4.0 && seekPts <= 6.0, "seek to 5 s output starts at " + seekPts + " s");
            pauseResume.get(60, TimeUnit.SECONDS);
            seekByHand.get(60, TimeUnit.SECONDS);
            // the client that never read still gets its answer once it reads (its frames first)
            assertEquals(200, stalled.request("TEARDOWN", base + "/asset.ts/", stalledSession).status());
        } finally {
            pool.shutdownNow();
        }
    }

    private static String stalledSession;

    /** A TCP-interleaved player that stops reading after PLAY: its frames back up, nobody else's. */
    private static void playWithoutReading(RtspClient c) throws Exception {
        RtspClient.Reply setup = c.request("SETUP", base + "/asset.ts/trackID=0",
                "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
        stalledSession = "Session: " + setup.header("Session").split(";")[0];
        assertEquals(200, c.request("PLAY", base + "/asset.ts/", stalledSession).status());
    }

    /** A UDP player that sets up, plays and disappears without TEARDOWN (its ports are closed). */
    private static void vanishAfterPlay() throws Exception {
        try (var rtp = java.nio.channels.DatagramChannel.open().bind(new java.net.InetSocketAddress("127.0.0.1", 0));
             var rtcp = java.nio.channels.DatagramChannel.open().bind(new java.net.InetSocketAddress("127.0.0.1", 0));
             RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            RtspClient.Reply setup = c.request("SETUP", base + "/asset.ts/trackID=0", "Transport: RTP/AVP;unicast;"
                    + "client_port=" + rtp.socket().getLocalPort() + "-" + rtcp.socket().getLocalPort());
            assertEquals(200, c.request("PLAY", base + "/asset.ts/",
                    "Session: " + setup.header("Session").split(";")[0]).status());
        }
    }

    /** PLAY, PAUSE after a second, PLAY again: nothing is sent while paused, and no byte is lost or repeated. */
    private static void pauseAndResumeDeliversEveryByte() throws Exception {
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int[] lastSeq = {-1};
            c.onFrame(f -> collect(f, received, lastSeq));
            String url = base + "/asset.ts";
            assertEquals(200, c.request("DESCRIBE", url).status());
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            assertEquals(200, setup.status());
            String session = "Session: " + setup.header("Session").split(";")[0];
            assertEquals(200, c.request("PLAY", url + "/", session, "Range: npt=0.000-").status());
            long until = System.nanoTime() + 1_000_000_000L;
            c.socket().setSoTimeout(200);
            while (System.nanoTime() < until) {
                RtspClient.Frame f = readQuietly(c);
                if (f != null) {
                    collect(f, received, lastSeq);
                }
            }
            c.socket().setSoTimeout(15000);
            RtspClient.Reply paused = c.request("PAUSE", url + "/", session);
            assertEquals(200, paused.status());
            int afterPause = 0;
            c.socket().setSoTimeout(100);
            long quiet = System.nanoTime() + 700_000_000L;
            while (System.nanoTime() < quiet) {
                RtspClient.Frame f = readQuietly(c);
                if (f != null) {
                    collect(f, received, lastSeq);
                    afterPause++;
                }
            }
            assertTrue(afterPause <= 1, afterPause + " packets arrived while paused");
            int pausedAt = received.size();
            assertTrue(pausedAt > 100_000 && pausedAt < asset.length / 2, "paused after " + pausedAt + " bytes");
            c.socket().setSoTimeout(15000);
            RtspClient.Reply resumed = c.request("PLAY", url + "/", session);
            assertEquals(200, resumed.status());
            String rtpInfo = resumed.header("RTP-Info");
            assertNotNull(rtpInfo);
            assertTrue(rtpInfo.contains("seq=" + ((lastSeq[0] + 1) & 0xffff) + ";"), rtpInfo + " after seq "
                    + lastSeq[0]);
            for (RtspClient.Frame f; received.size() < asset.length && (f = c.readFrame()) != null; ) {
                collect(f, received, lastSeq);
            }
            assertArrayEquals(asset, received.toByteArray(), "TS bytes received over a pause differ from the file");
            assertEquals(200, c.request("TEARDOWN", url + "/", session).status());
        }
    }

    /** PLAY from npt 5.5: the first RTP payload is the file's TS packet that starts the key frame before 5.5 s. */
    private static void seekStartsAtTheKeyFrameBeforeTheRange() throws Exception {
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            String url = base + "/asset.ts";
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            String session = "Session: " + setup.header("Session").split(";")[0];
            RtspClient.Reply play = c.request("PLAY", url + "/", session, "Range: 5.5-");
            assertEquals(200, play.status());
            double start = Double.parseDouble(play.header("Range").replaceAll("npt=([0-9.]+)-.*", "$1"));
            assertTrue(start > 3.5 && start <= 5.5, "Range " + play.header("Range"));
            RtspClient.Frame first = c.readFrame();
            while (first.channel() != 0) {
                first = c.readFrame();
            }
            byte[] payload = Arrays.copyOfRange(first.data(), 12, first.data().length);
            int at = indexOf(asset, payload);
            assertTrue(at > 0 && at % 188 == 0, "first payload is not a TS-aligned piece of the file: " + at);
            assertEquals(0x47, asset[at] & 0xff);
            assertTrue((asset[at + 3] & 0x20) != 0 && (asset[at + 5] & 0x40) != 0,
                    "first packet after a seek does not carry the random-access indicator");
            assertEquals(200, c.request("TEARDOWN", url + "/", session).status());
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static RtspClient.Frame readQuietly(RtspClient c) throws IOException {
        try {
            return c.readFrame();
        } catch (java.net.SocketTimeoutException e) {
            return null;
        }
    }

    /** Appends the payload of RTP frames on channel 0, checking sequence numbers run without a gap. */
    private static void collect(RtspClient.Frame f, ByteArrayOutputStream received, int[] lastSeq) {
        if (f.channel() != 0) {
            return;
        }
        byte[] d = f.data();
        assertEquals(0x80, d[0] & 0xff);
        assertEquals(33, d[1] & 0x7f);
        int seq = ((d[2] & 0xff) << 8) | (d[3] & 0xff);
        if (lastSeq[0] >= 0) {
            assertEquals((lastSeq[0] + 1) & 0xffff, seq, "RTP sequence gap");
        }
        lastSeq[0] = seq;
        received.write(d, 12, d.length - 12);
    }

    private static void badRequestsGetTheirStatus() throws Exception {
        assertEquals(400, rawStatus("\u0000\u0001\u0002garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
        byte[] huge = new byte[1 << 20];
        Arrays.fill(huge, (byte) 'a');
        byte[] head = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Big: ".getBytes(StandardCharsets.ISO_8859_1);
        byte[] hugeRequest = Arrays.copyOf(head, head.length + huge.length);
        System.arraycopy(huge, 0, hugeRequest, head.length, huge.length);
        assertEquals(400, rawStatus(hugeRequest));
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            assertEquals(200, c.request("OPTIONS", "*").status());
            assertEquals(400, c.request("DESCRIBE", base + "/../asset.ts").status());
            assertEquals(400, c.request("DESCRIBE", base + "/movies/%2e%2e/asset.ts").status());
            assertEquals(400, c.request("DESCRIBE", base + "/%2E%2E/%2e%2e/etc/passwd").status());
            assertEquals(404, c.request("DESCRIBE", base + "//etc/passwd").status());
            assertEquals(404, c.request("DESCRIBE", base + "/missing.ts").status());
            assertEquals(403, c.request("DESCRIBE", base + "/escape.ts").status());
            assertEquals(403, c.request("DESCRIBE", base + "/movies/up.ts").status());
            assertEquals(404, c.request("DESCRIBE", base + "/movies").status());
            assertEquals(455, c.request("PLAY", base + "/asset.ts").status());
            assertEquals(454, c.request("PLAY", base + "/asset.ts", "Session: 0123456789abcdef").status());
            assertEquals(454, c.request("TEARDOWN", base + "/asset.ts", "Session: nope").status());
            assertEquals(461, c.request("SETUP", base + "/asset.ts/trackID=0",
                    "Transport: RTP/AVP;multicast").status());
            assertEquals(501, c.request("RECORD", base + "/asset.ts").status());
            assertEquals(200, c.request("OPTIONS", "*").status(), "connection still usable after refusals");
        }
    }

    /** Status of the reply to raw bytes on a fresh connection, which the server then closes. */
    private static int rawStatus(byte[] request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.rtspPort())) {
            s.setSoTimeout(10000);
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(request);
                    out.flush();
                } catch (IOException expected) {
                    // the server refuses early and stops reading: a reset while we write is fine
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            String reply = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            writer.join(10000);
            assertTrue(reply.startsWith("RTSP/1.0 "), "reply: " + reply);
            return Integer.parseInt(reply.substring(9, 12));
        }
    }

    private static void httpRangesReturnTheExactBytes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String url = "http://127.0.0.1:" + server.httpPort();
        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(URI.create(url + "/asset.ts")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertEquals("bytes", whole.headers().firstValue("Accept-Ranges").orElse(""));
        assertArrayEquals(asset, whole.body());
        long[][] ranges = {{1000, 1999}, {0, 0}, {asset.length - 10, asset.length - 1}, {131000, 400000}};
        for (long[] r : ranges) {
            HttpResponse<byte[]> part = http.send(HttpRequest.newBuilder(URI.create(url + "/movies/copy.ts"))
                    .header("Range", "bytes=" + r[0] + "-" + r[1]).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(206, part.statusCode());
            assertEquals("bytes " + r[0] + "-" + r[1] + "/" + asset.length,
                    part.headers().firstValue("Content-Range").orElse(""));
            assertArrayEquals(Arrays.copyOfRange(asset, (int) r[0], (int) r[1] + 1), part.body());
        }
        HttpResponse<byte[]> open = http.send(HttpRequest.newBuilder(URI.create(url + "/asset.ts"))
                .header("Range", "bytes=2000000-").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, open.statusCode());
        assertArrayEquals(Arrays.copyOfRange(asset, 2_000_000, asset.length), open.body());
        HttpResponse<byte[]> suffix = http.send(HttpRequest.newBuilder(URI.create(url + "/asset.ts"))
                .header("Range", "bytes=-500").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(Arrays.copyOfRange(asset, asset.length - 500, asset.length), suffix.body());
        HttpResponse<byte[]> unsatisfiable = http.send(HttpRequest.newBuilder(URI.create(url + "/asset.ts"))
                .header("Range", "bytes=" + asset.length + "-").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(416, unsatisfiable.statusCode());
        assertEquals("bytes */" + asset.length, unsatisfiable.headers().firstValue("Content-Range").orElse(""));
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(url + "/asset.ts"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(asset.length), head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(url + "/nothing.ts")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(403, http.send(HttpRequest.newBuilder(URI.create(url + "/escape.ts")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(400, http.send(HttpRequest.newBuilder(URI.create(url + "/movies/%2e%2e/asset.ts")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }
}
