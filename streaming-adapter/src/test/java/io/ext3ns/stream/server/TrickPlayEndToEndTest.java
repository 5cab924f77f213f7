package io.ext3ns.stream.server;

import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testing.TsPictures;
import io.ext3ns.stream.testkit.TestAsset;
import io.ext3ns.stream.testkit.TrickPlayAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trick play over RTSP (issue 19): PLAY with Scale on a title with one key frame a second, driven by a hand-made
 * client that parses what arrives (RTP over the interleaved channels, and over UDP), and ffmpeg decoding the result.
 * Scale 4 sends only key frames, in order, covering 4 s of the title (and of the time stamps) per second; Scale -4
 * goes backward from where it is with increasing time stamps; Scale 1 resumes normal play (every frame, audio too)
 * where trick play got to; trick play to the end ends the stream with a BYE. About 10 s.
 */
class TrickPlayEndToEndTest {
    private static final long SECOND = 90_000;
    private static byte[] asset;
    /** Each source picture's PTS by the digest of its bytes: recognises a received picture in the file. */
    private static final Map<String, Long> sourcePts = new HashMap<>();
    private static List<TsPictures.Picture> sourcePictures;
    private static TestStore store;
    private static StreamingServer server;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        Path assetPath = TrickPlayAsset.ts();
        asset = Files.readAllBytes(assetPath);
        sourcePictures = TsPictures.of(asset).allPictures();
        for (TsPictures.Picture p : sourcePictures) {
            sourcePts.put(p.digest(), p.pts());
        }
        store = TestStore.create(TestAsset.scratch("trickstore"), 64L << 20);
        store.addFile("/gop.ts", asset);
        store.sync();
        server = StreamingServer.start(store.fs(), ServerConfig.defaults().withEngine(DataPath.BATCHED, 2, 64L << 20));
        url = "rtsp://127.0.0.1:" + server.rtspPort() + "/gop.ts";
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

    /** What arrived in one PLAY's stretch of the session (RTP from the sequence number its RTP-Info named). */
    private static final class Stretch {
        final int firstSeq;
        final TsPictures ts;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long firstRtp = -1;
        int firstArrivedSeq = -1;

        Stretch(int firstSeq, TsPictures earlier) {
            this.firstSeq = firstSeq;
            this.ts = earlier == null ? new TsPictures() : TsPictures.continuing(earlier);
        }

        void rtp(byte[] d, int length, long nanos) {
            assertEquals(0x80, d[0] & 0xff, "RTP version 2, no padding, extension or CSRC");
            assertEquals(33, d[1] & 0x7f);
            int seq = ((d[2] & 0xff) << 8) | (d[3] & 0xff);
            long rtp = ((d[4] & 0xffL) << 24) | ((d[5] & 0xff) << 16) | ((d[6] & 0xff) << 8) | (d[7] & 0xff);
            if (firstArrivedSeq < 0) {
                firstArrivedSeq = seq;
                firstRtp = rtp;
            }
            assertEquals(0, (length - 12) % 188);
            for (int at = 12; at < length; at += 188) {
                ts.packet(d, at, nanos, rtp);
            }
            bytes.write(d, 12, length - 12);
        }
    }

    /** The interleaved session's frames, sorted into stretches by sequence number; RTCP BYEs counted. */
    private static final class Session {
        final List<Stretch> stretches = new ArrayList<>();
        int lastSeq = -1;
        int byes;

        void frame(RtspClient.Frame f) {
            long now = System.nanoTime();
            byte[] d = f.data();
            if (f.channel() == 1) {
                for (int at = 0; at + 4 <= d.length; at += 4 * ((((d[at + 2] & 0xff) << 8) | (d[at + 3] & 0xff)) + 1)) {
                    if ((d[at + 1] & 0xff) == 203) {
                        byes++;
                    }
                }
                return;
            }
            int seq = ((d[2] & 0xff) << 8) | (d[3] & 0xff);
            if (lastSeq >= 0) {
                assertEquals((lastSeq + 1) & 0xffff, seq, "RTP sequence numbers run on across Scale changes");
            }
            lastSeq = seq;
            Stretch target = null;
            for (Stretch s : stretches) {
                if ((short) (seq - s.firstSeq) >= 0) {
                    target = s; // the latest PLAY whose first packet is at or before this one
                }
            }
            assertNotNull(target, "packet " + seq + " before the first PLAY's RTP-Info");
            target.rtp(d, d.length, now);
        }
    }

    private static int seqOf(String rtpInfo) {
        return Integer.parseInt(rtpInfo.replaceAll(".*seq=(\\d+).*", "$1"));
    }

    private static long rtptimeOf(String rtpInfo) {
        return Long.parseLong(rtpInfo.replaceAll(".*rtptime=(\\d+).*", "$1"));
    }

    /** PLAY with the given headers; the stretch it starts is added to the session. */
    private static Stretch play(RtspClient c, Session session, String sessionHeader, int expectScale,
                                String... headers) throws IOException {
        String[] all = new String[headers.length + 1];
        all[0] = sessionHeader;
        System.arraycopy(headers, 0, all, 1, headers.length);
        RtspClient.Reply reply = c.request("PLAY", url + "/", all);
        assertEquals(200, reply.status(), reply.body());
        assertEquals(Integer.toString(expectScale), reply.header("Scale"), "the Scale used is echoed");
        String info = reply.header("RTP-Info");
        assertNotNull(info, "RTP-Info");
        Stretch s = new Stretch(seqOf(info),
                session.stretches.isEmpty() ? null : session.stretches.get(session.stretches.size() - 1).ts);
        session.stretches.add(s);
        expectedRtp.put(s, rtptimeOf(info));
        return s;
    }

    private static final Map<Stretch, Long> expectedRtp = new HashMap<>();

    /** Reads frames for {@code millis} (or until the next BYE when {@code untilBye}). */
    private static void receive(RtspClient c, Session session, long millis, boolean untilBye) throws IOException {
        long until = System.nanoTime() + millis * 1_000_000;
        int byesBefore = session.byes;
        c.socket().setSoTimeout(100);
        try {
            while (System.nanoTime() < until && !(untilBye && session.byes > byesBefore)) {
                try {
                    RtspClient.Frame f = c.readFrame();
                    if (f == null) {
                        break;
                    }
                    session.frame(f);
                } catch (SocketTimeoutException e) {
                    // nothing this time: look at the clock again
                }
            }
        } finally {
            c.socket().setSoTimeout(15000);
        }
    }

    /** First packet = RTP-Info; only key frames, no audio, no continuity gaps, PAT and PMT before each picture. */
    private static List<TsPictures.Picture> checkKeyframesOnly(Stretch s, int atLeast) {
        assertEquals(s.firstSeq, s.firstArrivedSeq, "the first packet after PLAY is the one RTP-Info names");
        assertEquals((long) expectedRtp.get(s), s.firstRtp, "its RTP timestamp is RTP-Info's rtptime");
        List<TsPictures.Picture> pics = s.ts.pictures();
        assertTrue(pics.size() >= atLeast, pics.size() + " pictures");
        for (TsPictures.Picture p : pics) {
            assertTrue(p.keyframe(), "a picture that is not a key frame was sent: NAL types "
                    + Integer.toBinaryString(p.nalTypes()));
            assertNotNull(sourcePts.get(p.digest()), "a picture that is not in the file");
        }
        assertEquals(0, s.ts.otherEsPackets(), "audio packets in trick play");
        assertEquals(0, s.ts.continuityErrors(), "continuity counter gaps");
        assertTrue(s.ts.patPackets() >= pics.size() && s.ts.pmtPackets() >= pics.size(), "PAT/PMT per picture");
        return pics;
    }

    /** Media seconds the stamps (PTS and RTP) cover per second of arrival, over the whole stretch. */
    private static void checkRate(List<TsPictures.Picture> pics, double low, double high) {
        TsPictures.Picture first = pics.get(0);
        TsPictures.Picture last = pics.get(pics.size() - 1);
        double wall = (last.arrivalNanos() - first.arrivalNanos()) / 1e9;
        double media = (last.pts() - first.pts()) / (double) SECOND;
        double rtp = ((last.rtpTimestamp() - first.rtpTimestamp()) & 0xffffffffL) / (double) SECOND;
        assertTrue(wall > 0.5, "pictures arrived over " + wall + " s");
        assertTrue(media / wall >= low && media / wall <= high, media + " s of PTS in " + wall + " s");
        assertTrue(rtp / wall >= low && rtp / wall <= high, rtp + " s of RTP time in " + wall + " s");
    }

    @Test
    void scaleFourForwardThenBackwardThenNormalPlayWhereItGot() throws Exception {
        Path dir = TestAsset.scratch("trickout");
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            Session session = new Session();
            c.onFrame(f -> session.frame(f));
            assertEquals(200, c.request("DESCRIBE", url).status());
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            assertEquals(200, setup.status());
            String id = "Session: " + setup.header("Session").split(";")[0];

            Stretch forward = play(c, session, id, 4, "Range: npt=2-", "Scale: 4");
            receive(c, session, 2000, false);
            Stretch backward = play(c, session, id, -4, "Scale: -4");
            receive(c, session, 1500, false);
            Stretch normal = play(c, session, id, 1, "Scale: 1");
            receive(c, session, 1500, false);
            assertEquals(200, c.request("TEARDOWN", url + "/", id).status());

            // forward: key frames in file order, none skipped at 4x, the file's own PTS, 4 s of media per second
            List<TsPictures.Picture> fwd = checkKeyframesOnly(forward, 6);
            long firstOriginal = sourcePts.get(fwd.get(0).digest());
            assertTrue(firstOriginal - sourcePictures.get(0).pts() <= 3 * SECOND, "trick play from npt 2");
            for (int i = 0; i < fwd.size(); i++) {
                long original = sourcePts.get(fwd.get(i).digest());
                assertEquals(original, fwd.get(i).pts(), "forward keeps the file's PTS");
                if (i > 0) {
                    assertEquals(SECOND, original - sourcePts.get(fwd.get(i - 1).digest()), "one key frame a second");
                }
            }
            checkRate(fwd, 3, 5);

            // backward: from where forward got to, the file's key frames in reverse, stamps increasing at 4x
            List<TsPictures.Picture> back = checkKeyframesOnly(backward, 4);
            long reached = sourcePts.get(fwd.get(fwd.size() - 1).digest());
            long backFirst = sourcePts.get(back.get(0).digest());
            assertTrue(Math.abs(backFirst - reached) <= SECOND + SECOND / 10,
                    "backward starts where forward got to: " + backFirst + " vs " + reached);
            for (int i = 1; i < back.size(); i++) {
                long step = sourcePts.get(back.get(i - 1).digest()) - sourcePts.get(back.get(i).digest());
                assertEquals(SECOND, step, "one key frame a second, backward");
                assertEquals(step, back.get(i).pts() - back.get(i - 1).pts(), "stamps advance by the media covered");
            }
            checkRate(back, 3, 5);

            // Scale 1: every frame again (and the audio), from the key frame backward play got to
            List<TsPictures.Picture> play = normal.ts.pictures();
            assertEquals(normal.firstSeq, normal.firstArrivedSeq);
            assertTrue(play.size() >= 20, play.size() + " pictures in 1.5 s of normal play");
            assertTrue(play.get(0).keyframe(), "normal play resumes at a key frame");
            assertTrue(play.stream().anyMatch(p -> p.hasNal(1)), "normal play sends the other frames too");
            assertTrue(normal.ts.otherEsPackets() > 0, "normal play sends the audio too");
            long resumed = play.get(0).pts();
            assertEquals(sourcePts.get(play.get(0).digest()), resumed, "the file's own bytes again");
            long backReached = sourcePts.get(back.get(back.size() - 1).digest());
            assertTrue(resumed <= backReached && resumed >= backReached - SECOND - SECOND / 10,
                    "resumed at " + resumed + ", backward play reached " + backReached);

            // ffmpeg decodes what trick play sent without a complaint (time stamps, continuity, PSI)
            for (Stretch s : List.of(forward, backward)) {
                Path f = Files.write(dir.resolve("trick" + s.firstSeq + ".ts"), s.bytes.toByteArray());
                String log = TestAsset.run(List.of("ffmpeg", "-nostdin", "-v", "warning", "-i", f.toString(),
                        "-map", "0:v", "-f", "null", "-"), 60);
                assertTrue(log.isBlank(), "ffmpeg complained about the trick play stream:\n" + log);
            }
        }
    }

    @Test
    void trickPlayEndsWithByeAtEitherEndOfTheTitle() throws Exception {
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            Session session = new Session();
            c.onFrame(f -> session.frame(f));
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            String id = "Session: " + setup.header("Session").split(";")[0];
            Stretch ff = play(c, session, id, 8, "Range: npt=14-", "Scale: 8");
            receive(c, session, 10_000, true);
            assertEquals(1, session.byes, "a BYE at the end of trick play");
            List<TsPictures.Picture> pics = checkKeyframesOnly(ff, 3);
            long lastKey = sourcePictures.stream().filter(TsPictures.Picture::keyframe)
                    .mapToLong(TsPictures.Picture::pts).max().orElseThrow();
            // the last picture's PES is closed by nothing after it: it is the open one; the one before is a second
            // earlier
            assertEquals(lastKey - SECOND, sourcePts.get(pics.get(pics.size() - 1).digest()));
            Stretch again = play(c, session, id, 1, "Scale: 1");
            receive(c, session, 600, false);
            assertEquals(sourcePictures.get(0).pts(), again.ts.pictures().get(0).pts(), "PLAY after the end starts over");
            // backward to the start: the first key frames in reverse, then the BYE again
            Stretch rewind = play(c, session, id, -8, "Range: npt=3.5-", "Scale: -8");
            receive(c, session, 10_000, true);
            assertEquals(2, session.byes, "a BYE at the start of the title after backward play");
            List<TsPictures.Picture> back = checkKeyframesOnly(rewind, 2);
            List<Long> keys = sourcePictures.stream().filter(TsPictures.Picture::keyframe)
                    .map(TsPictures.Picture::pts).toList();
            for (int i = 0; i < back.size(); i++) {
                // the last picture (key frame 0) is the one no later PES closes: the complete ones end at key frame 1
                assertEquals(keys.get(back.size() - i), sourcePts.get(back.get(i).digest()));
            }
            assertEquals(200, c.request("TEARDOWN", url + "/", id).status());
        }
    }

    @Test
    void scaleValuesAreRoundedClampedOrRefused() throws Exception {
        try (RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0",
                    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            String id = "Session: " + setup.header("Session").split(";")[0];
            assertEquals(456, c.request("PLAY", url + "/", id, "Scale: 0").status());
            assertEquals(400, c.request("PLAY", url + "/", id, "Scale: fast").status());
            assertEquals("16", c.request("PLAY", url + "/", id, "Scale: 100").header("Scale"));
            assertEquals("2", c.request("PLAY", url + "/", id, "Scale: 2.4").header("Scale"));
            assertEquals("-1", c.request("PLAY", url + "/", id, "Scale: -0.3").header("Scale"));
            assertEquals(457, c.request("PLAY", url + "/", id, "Scale: 4", "Range: npt=10-5").status());
            assertEquals(457, c.request("PLAY", url + "/", id, "Scale: -4", "Range: npt=5-10").status());
            RtspClient.Reply normal = c.request("PLAY", url + "/", id);
            assertEquals(200, normal.status());
            assertNull(normal.header("Scale"), "no Scale asked, none answered");
            assertEquals(200, c.request("TEARDOWN", url + "/", id).status());
        }
    }

    /** Over UDP on the batched path (the pictures are pinned units like the file's): key frames only, at 4x. */
    @Test
    void scaleFourOverUdp() throws Exception {
        try (DatagramChannel rtp = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel rtcp = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             RtspClient c = new RtspClient("127.0.0.1", server.rtspPort())) {
            rtp.socket().setReceiveBufferSize(4 << 20);
            RtspClient.Reply setup = c.request("SETUP", url + "/trackID=0", "Transport: RTP/AVP;unicast;client_port="
                    + rtp.socket().getLocalPort() + "-" + rtcp.socket().getLocalPort());
            assertEquals(200, setup.status());
            String id = "Session: " + setup.header("Session").split(";")[0];
            RtspClient.Reply reply = c.request("PLAY", url + "/", id, "Range: npt=1-", "Scale: 4");
            assertEquals("4", reply.header("Scale"));
            Stretch s = new Stretch(seqOf(reply.header("RTP-Info")), null);
            expectedRtp.put(s, rtptimeOf(reply.header("RTP-Info")));
            long until = System.nanoTime() + 1_800_000_000L;
            rtp.socket().setSoTimeout(100);
            var in = rtp.socket();
            byte[] data = new byte[2048];
            java.net.DatagramPacket packet = new java.net.DatagramPacket(data, data.length);
            while (System.nanoTime() < until) {
                try {
                    in.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                s.rtp(data, packet.getLength(), System.nanoTime());
            }
            assertEquals(200, c.request("TEARDOWN", url + "/", id).status());
            checkRate(checkKeyframesOnly(s, 5), 3, 5);
        }
    }
}
