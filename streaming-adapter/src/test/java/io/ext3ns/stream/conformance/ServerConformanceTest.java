package io.ext3ns.stream.conformance;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.ProbedPackets;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTSP conformance and hardening cases of issue 15 with real clients where a player is the judge: keep-alive by
 * OPTIONS and by RTCP Receiver Reports sent to server_port + 1 (session time-out 4 s), replay after the end and a
 * PLAY Range end, a truncated transport stream, RTP over IPv6, a client dripping its request head, the per-address
 * connection limit and the shorter life of sessions never played. The cases wait on real-time streams, so they run
 * at once (about 20 s in all).
 */
@Execution(ExecutionMode.CONCURRENT)
class ServerConformanceTest {
    private static final int TIMEOUT_SECONDS = 4;
    private static Path dir;
    private static byte[] asset; // 10 s, 2 Mbit/s H.264 + AAC
    private static ProbedPackets assetPackets;
    private static TestStore store;
    private static StreamingServer keep; // session time-out 4 s, request-head deadline 2 s
    private static StreamingServer v6; // on ::1
    private static StreamingServer small; // the defaults
    private static StreamingServer limited; // four connections per client address

    @BeforeAll
    static void start() throws Exception {
        dir = TestAsset.scratch("conformance");
        Path assetPath = TestAsset.ts();
        asset = Files.readAllBytes(assetPath);
        assetPackets = ProbedPackets.of(assetPath);
        Path longer = Assets.H264_AAC.make(dir, 16);
        store = TestStore.create(dir, 64L << 20);
        store.addFile("/asset.ts", asset);
        store.addFile("/long.ts", Files.readAllBytes(longer));
        store.addFile("/truncated.ts", Arrays.copyOf(asset, asset.length - 100)); // a recording cut short
        store.sync();
        ServerConfig base = ServerConfig.defaults().withEngine(DataPath.BATCHED, 1, 32L << 20);
        keep = StreamingServer.start(store.fs(), base
                .withSessionLimits(100, 1000, Duration.ofSeconds(TIMEOUT_SECONDS))
                .withConnectionLimits(1000, 100, Duration.ofSeconds(2)));
        v6 = StreamingServer.start(store.fs(), base.withBindAddress(InetAddress.getByName("::1")));
        small = StreamingServer.start(store.fs(), base);
        limited = StreamingServer.start(store.fs(), base.withConnectionLimits(1000, 4,
                ServerConfig.DEFAULT_HEADER_TIMEOUT));
    }

    @AfterAll
    static void stop() throws Exception {
        try (TestStore s = store; StreamingServer a = keep; StreamingServer b = v6; StreamingServer c = small;
             StreamingServer d = limited) {
            // closes all, also when one fails
        }
    }

    @Test
    void sessionsLiveOnOptionsOrReceiverReportsAndDieWithout() throws Exception {
        try (UdpPlayer byOptions = new UdpPlayer("127.0.0.1", keep.rtspPort(), "/long.ts");
             UdpPlayer byReports = new UdpPlayer("127.0.0.1", keep.rtspPort(), "/long.ts");
             UdpPlayer silent = new UdpPlayer("127.0.0.1", keep.rtspPort(), "/long.ts")) {
            for (UdpPlayer p : List.of(byOptions, byReports, silent)) {
                assertEquals(200, p.request("PLAY").status());
            }
            long start = System.nanoTime();
            while (System.nanoTime() - start < 12_500_000_000L) { // three time-outs
                Thread.sleep(1000);
                assertEquals(200, byOptions.control.request("OPTIONS", "*", byOptions.session).status());
                byReports.sendReceiverReport();
            }
            long now = System.nanoTime();
            for (UdpPlayer p : List.of(byOptions, byReports)) {
                assertTrue(now - p.lastPacketNanos() < 1_000_000_000L, "still streaming after 12 s");
            }
            assertEquals(200, byOptions.request("GET_PARAMETER").status());
            // the other two control connections said nothing for 12 s: the server closed them (idle for the
            // time-out + 5 s), which does not end a UDP session; a player comes back on a new connection
            try (RtspClient again = new RtspClient("127.0.0.1", keep.rtspPort())) {
                assertEquals(200, again.request("GET_PARAMETER", byReports.url + "/", byReports.session).status());
                assertEquals(454, again.request("GET_PARAMETER", silent.url + "/", silent.session).status(),
                        "the silent session timed out");
                assertEquals(200, again.request("TEARDOWN", byReports.url + "/", byReports.session).status());
            }
            assertTrue(silent.lastPacketNanos() - start < 9_000_000_000L, "the silent session's stream stopped");
            assertEquals(200, byOptions.request("TEARDOWN").status());
        }
    }

    @Test
    void playAfterTheEndStartsOverAndARangeEndIsHonoured() throws Exception {
        try (RtspClient c = new RtspClient("127.0.0.1", small.rtspPort())) {
            String url = "rtsp://127.0.0.1:" + small.rtspPort() + "/asset.ts";
            RtspClient.Reply describe = c.request("DESCRIBE", url);
            assertEquals(200, describe.status());
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            String session = "Session: " + setup.header("Session").split(";")[0];
            assertEquals(200, c.request("PLAY", url + "/", session, "Range: npt=8-").status());
            byte[] tail = receiveUntilBye(c);
            assertTrue(tail.length > 0 && Arrays.equals(asset, asset.length - tail.length, asset.length, tail, 0,
                    tail.length), "the title's end, then the BYE");
            // PLAY after the end, without a Range: from the start again
            RtspClient.Reply again = c.request("PLAY", url + "/", session);
            assertEquals(200, again.status(), again.body());
            assertTrue(again.header("Range").startsWith("npt=0.000-"), again.header("Range"));
            byte[] replay = receiveUntilBye(c);
            assertTrue(Arrays.equals(asset, replay), "the replay is the title again, byte for byte");
            // a Range with an end: from the key frame at or before 5 s, to the PCR after 8 s
            RtspClient.Reply ranged = c.request("PLAY", url + "/", session, "Range: npt=5-8");
            assertEquals(200, ranged.status(), ranged.body());
            assertTrue(ranged.header("Range").endsWith("-8.000"), ranged.header("Range"));
            byte[] part = receiveUntilBye(c);
            int at = indexOf(asset, part);
            assertTrue(at >= 0 && at % 188 == 0, "a slice of the title");
            double first = pcrSecondsAtOrAfter(at);
            double last = pcrSecondsBefore(at + part.length);
            assertTrue(first <= 5.0 && first > 2.5, "starts at " + first + " s");
            assertTrue(last >= 7.9 && last <= 8.2, "ends at " + last + " s");
            assertEquals(200, c.request("TEARDOWN", url + "/", session).status());
        }
    }

    @Test
    void aTruncatedStreamPlaysItsWholePackets() throws Exception {
        Path out = Files.createDirectories(dir.resolve("truncated"));
        Path got = Players.FFMPEG.play("rtsp://127.0.0.1:" + keep.rtspPort() + "/truncated.ts", false, out, 60);
        ProbedPackets.of(got).assertContiguousRunOf(assetPackets);
    }

    @Test
    void rtpGoesToIpv6Clients() throws Exception {
        Path out = Files.createDirectories(dir.resolve("v6"));
        Path got = Players.FFMPEG.play("rtsp://[::1]:" + v6.rtspPort() + "/asset.ts", false, out, 60);
        ProbedPackets.of(got).assertWholeOf(assetPackets);
    }

    @Test
    void aClientDrippingItsRequestHeadIsClosedAtTheDeadline() throws Exception {
        try (UdpPlayer player = new UdpPlayer("127.0.0.1", keep.rtspPort(), "/long.ts")) {
            assertEquals(200, player.request("PLAY").status());
            long start = System.nanoTime(); // the deadline runs from the connection's accept, after this
            boolean closed = false;
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            try (Socket drip = new Socket("127.0.0.1", keep.rtspPort())) {
                drip.setSoTimeout(100);
                byte[] head = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: slow\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; !closed && System.nanoTime() - start < 10_000_000_000L; i = (i + 1) % head.length) {
                    try {
                        drip.getOutputStream().write(head[i]); // one byte every 100 ms: never idle, never whole
                    } catch (IOException e) {
                        closed = true; // reset after the server closed
                        break;
                    }
                    closed = readUntilEof(drip.getInputStream(), answer);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(closed, "the dripping client is closed");
            assertTrue(seconds >= 2 && seconds < 8,
                    "closed after " + seconds + " s (deadline 2 s, checked every 0.5 s)");
            assertTrue(answer.toString(StandardCharsets.US_ASCII).startsWith("RTSP/1.0 408 "), answer.toString());
            long before = player.packets();
            long wait = System.nanoTime();
            while (player.packets() == before && System.nanoTime() - wait < 10_000_000_000L) { // a deadline, not a pace
                Thread.sleep(20);
            }
            assertTrue(player.packets() > before, "the player streams on");
            assertEquals(200, player.request("TEARDOWN").status());
        }
    }

    @Test
    void oneAddressHoldsAtMostItsConnections() throws Exception {
        List<RtspClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) { // the limit
                RtspClient c = new RtspClient("127.0.0.1", limited.rtspPort());
                held.add(c);
                assertEquals(200, c.request("OPTIONS", "*").status());
            }
            try (Socket refused = new Socket("127.0.0.1", limited.rtspPort())) {
                refused.setSoTimeout(5000);
                refused.getOutputStream().write("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n".getBytes());
                int b;
                try {
                    b = refused.getInputStream().read();
                } catch (IOException e) {
                    b = -1; // reset
                }
                assertEquals(-1, b, "a fifth connection from the address is closed unanswered");
            }
            held.remove(0).close(); // a slot is free again once the server has seen the close
            long start = System.nanoTime();
            boolean accepted = false;
            while (!accepted && System.nanoTime() - start < 5_000_000_000L) {
                try (RtspClient c = new RtspClient("127.0.0.1", limited.rtspPort())) {
                    accepted = c.request("OPTIONS", "*").status() == 200;
                } catch (IOException e) {
                    Thread.sleep(50); // refused: the close is not processed yet
                }
            }
            assertTrue(accepted, "a connection is accepted again after one closed");
        } finally {
            for (RtspClient c : held) {
                c.close();
            }
        }
    }

    @Test
    void aSessionNeverPlayedEndsSooner() throws Exception {
        try (UdpPlayer unplayed = new UdpPlayer("127.0.0.1", small.rtspPort(), "/asset.ts");
             UdpPlayer played = new UdpPlayer("127.0.0.1", small.rtspPort(), "/asset.ts")) {
            assertEquals(200, played.request("PLAY").status());
            long start = System.nanoTime();
            while (System.nanoTime() - start < ServerConfig.UNPLAYED_TIMEOUT.toNanos() + 1_500_000_000L) {
                Thread.sleep(1000); // keep-alives do not save a session that never plays
                assertEquals(200, played.request("GET_PARAMETER").status());
                unplayed.request("GET_PARAMETER");
            }
            assertEquals(454, unplayed.request("PLAY").status(), "ended " + ServerConfig.UNPLAYED_TIMEOUT
                    + " after SETUP (the session time-out is 60 s)");
            assertEquals(200, played.request("TEARDOWN").status());
        }
    }

    @Test
    void optionsTransportsAndLineEndsAreAnsweredAsRfc2326Says() throws Exception {
        String url = "rtsp://127.0.0.1:" + small.rtspPort() + "/asset.ts";
        try (RtspClient c = new RtspClient("127.0.0.1", small.rtspPort())) {
            RtspClient.Reply require = c.request("OPTIONS", url, "Require: com.example.feature");
            assertEquals(551, require.status());
            assertEquals("com.example.feature", require.header("Unsupported"));
            assertEquals(551, c.request("DESCRIBE", url, "Proxy-Require: x-y").status());
            assertEquals(461, c.request("SETUP", url + "/trackID=0", "Transport: ;").status());
            assertEquals(461, c.request("SETUP", url + "/trackID=0", "Transport:").status());
            assertEquals(200, c.request("OPTIONS", url).status(), "the connection goes on");
        }
        try (Socket s = new Socket("127.0.0.1", small.rtspPort())) { // lines ended by a bare CR (RFC 2326 4)
            s.setSoTimeout(10_000);
            s.getOutputStream().write("OPTIONS * RTSP/1.0\rCSeq: 9\r\r".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = new byte[64];
            int n = s.getInputStream().read(answer);
            assertTrue(n > 0 && new String(answer, 0, n, StandardCharsets.US_ASCII).startsWith("RTSP/1.0 200 OK"));
        }
    }

    /** Interleaved RTP payloads until the RTCP BYE (on channel 1); returns the TS bytes received. */
    private static byte[] receiveUntilBye(RtspClient c) throws IOException {
        ByteArrayOutputStream ts = new ByteArrayOutputStream();
        for (RtspClient.Frame f; (f = c.readFrame()) != null; ) {
            if (f.channel() == 0) {
                ts.write(f.data(), 12, f.data().length - 12);
            } else if (containsBye(f.data())) {
                return ts.toByteArray();
            }
        }
        throw new IOException("connection closed before the BYE");
    }

    private static boolean containsBye(byte[] rtcp) {
        for (int at = 0; at + 4 <= rtcp.length; at += ((((rtcp[at + 2] & 0xff) << 8) | (rtcp[at + 3] & 0xff)) + 1) * 4) {
            if ((rtcp[at + 1] & 0xff) == 203) {
                return true;
            }
        }
        return false;
    }

    private static boolean readUntilEof(InputStream in, ByteArrayOutputStream into) throws IOException {
        byte[] b = new byte[512];
        try {
            for (int n; (n = in.read(b)) != 0; ) {
                if (n < 0) {
                    return true;
                }
                into.write(b, 0, n);
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i += 188) {
            for (int j = 0; j < Math.min(needle.length, 4 * 188); j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length) ? i : -1;
        }
        return -1;
    }

    /** Seconds from the first PCR of the title to the first PCR at or after byte {@code offset}. */
    private static double pcrSecondsAtOrAfter(int offset) {
        for (int at = offset; at + 188 <= asset.length; at += 188) {
            long pcr = pcr(at);
            if (pcr >= 0) {
                return (pcr - firstPcr()) / 27e6;
            }
        }
        return Double.NaN;
    }

    /** Seconds from the first PCR to the last PCR before byte {@code end}. */
    private static double pcrSecondsBefore(int end) {
        for (int at = end - 188; at >= 0; at -= 188) {
            long pcr = pcr(at);
            if (pcr >= 0) {
                return (pcr - firstPcr()) / 27e6;
            }
        }
        return Double.NaN;
    }

    private static long firstPcr() {
        for (int at = 0; at + 188 <= asset.length; at += 188) {
            long pcr = pcr(at);
            if (pcr >= 0) {
                return pcr;
            }
        }
        throw new AssertionError("no PCR");
    }

    /** The PCR of the TS packet at {@code at} in 27 MHz ticks, or -1 (ISO 13818-1 2.4.3.4). */
    private static long pcr(int at) {
        boolean adaptation = (asset[at + 3] & 0x20) != 0;
        if (!adaptation || (asset[at + 4] & 0xff) < 7 || (asset[at + 5] & 0x10) == 0) {
            return -1;
        }
        int p = at + 6;
        long base = ((long) (asset[p] & 0xff) << 25) | ((asset[p + 1] & 0xff) << 17) | ((asset[p + 2] & 0xff) << 9)
                | ((asset[p + 3] & 0xff) << 1) | ((asset[p + 4] & 0x80) >> 7);
        return base * 300 + (((asset[p + 4] & 0x01) << 8) | (asset[p + 5] & 0xff));
    }
}
