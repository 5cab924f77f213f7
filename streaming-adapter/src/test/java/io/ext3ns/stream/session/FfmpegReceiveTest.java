package io.ext3ns.stream.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.source.PlainFileSource;
import io.ext3ns.stream.testkit.TestAsset;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real client: ffmpeg receives the RTP stream with an SDP file (m=video PORT RTP/AVP 33, a=rtpmap:33 MP2T/90000),
 * copies it into a .ts, and that file decodes without errors and carries the source's packets (ffprobe md5 per
 * packet; only the final PES of each stream may be missing, as the TS demuxer never flushes it).
 */
class FfmpegReceiveTest {
    private static final int MAX_UNFLUSHED_TAIL = 10;

    /** Both UDP paths the server offers, received by a real client. */
    @ParameterizedTest
    @EnumSource(value = DataPath.class, names = {"FAST", "BATCHED"})
    void ffmpegReceivesTheStreamAndDecodesItCleanly(DataPath path) throws Exception {
        Path asset = TestAsset.ts();
        Path dir = TestAsset.scratch("ffmpeg-rx");
        AssertionError last = null;
        for (int attempt = 1; attempt <= 2; attempt++) { // the notes saw one non-reproducing gap: retry once
            try {
                receiveOnce(path, asset, dir.resolve(path + "-rx" + attempt + ".ts"));
                return;
            } catch (AssertionError e) {
                last = e;
            }
        }
        throw last;
    }

    private void receiveOnce(DataPath path, Path asset, Path out) throws Exception {
        int port = freeEvenPortPair();
        Path sdp = out.resolveSibling(out.getFileName() + ".sdp");
        Files.writeString(sdp, "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=ext3ns test\nc=IN IP4 127.0.0.1\nt=0 0\n"
                + "m=video " + port + " RTP/AVP 33\na=rtpmap:33 MP2T/90000\n");
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-protocol_whitelist", "file,udp,rtp",
                "-i", sdp.toString(), "-map", "0", "-c", "copy", "-f", "mpegts", out.toString())
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        try {
            awaitUdpListener(port, 10_000);
            InetSocketAddress rtp = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            InetSocketAddress rtcp = new InetSocketAddress(InetAddress.getLoopbackAddress(), port + 1);
            try (StreamingEngine engine = new StreamingEngine(EngineConfig.of(UnitSize.K256, 4))) {
                StreamSession s = engine.openUdp(new PlainFileSource(asset), path, rtp, rtcp,
                        SessionOptions.defaults().withSpeed(4));
                s.play(-1);
                assertEquals(SessionState.FINISHED, s.ended().get(20, TimeUnit.SECONDS).state());
            }
            // ffmpeg ends the input on our RTCP BYE; if it has not, its own "quit" key writes the trailer
            if (!ffmpeg.waitFor(2, TimeUnit.SECONDS)) {
                ffmpeg.getOutputStream().write('q');
                ffmpeg.getOutputStream().flush();
            }
            assertTrue(ffmpeg.waitFor(10, TimeUnit.SECONDS), "ffmpeg did not quit");
            String log = new String(ffmpeg.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(log.isBlank(), "ffmpeg receive errors:\n" + log);
        } finally {
            ffmpeg.destroyForcibly();
        }
        String decodeErrors = TestAsset.run(List.of("ffmpeg", "-v", "error", "-i", out.toString(), "-f", "null", "-"),
                60);
        assertTrue(decodeErrors.isBlank(), "decode errors:\n" + decodeErrors);
        List<String> sent = packetHashes(asset);
        List<String> got = packetHashes(out);
        assertSamePacketsButLastPerStream(sent, got);
    }

    private static final Pattern STREAM = Pattern.compile("\"stream_index\"\\s*:\\s*(\\d+)");
    private static final Pattern SIZE = Pattern.compile("\"size\"\\s*:\\s*\"?(\\d+)");
    private static final Pattern HASH = Pattern.compile("\"data_hash\"\\s*:\\s*\"([^\"]+)\"");

    /** "stream|size|md5" for every packet, in order (ffprobe JSON: the CSV writer splits the hash off). */
    private static List<String> packetHashes(Path ts) throws IOException, InterruptedException {
        String json = TestAsset.run(List.of("ffprobe", "-v", "error", "-show_entries",
                "packet=stream_index,size,data_hash", "-show_data_hash", "md5", "-of", "json", ts.toString()), 60);
        List<String> out = new ArrayList<>();
        // one chunk per packet: from one "stream_index" to the next (packets nest side-data objects)
        String[] chunks = json.split("(?=\"stream_index\")");
        for (int i = 1; i < chunks.length; i++) {
            out.add(field(STREAM, chunks[i]) + "|" + field(SIZE, chunks[i]) + "|" + field(HASH, chunks[i]));
        }
        return out;
    }

    private static String field(Pattern pattern, String packet) {
        Matcher m = pattern.matcher(packet);
        if (!m.find()) {
            throw new AssertionError("ffprobe packet without " + pattern + ": " + packet);
        }
        return m.group(1);
    }

    private static void assertSamePacketsButLastPerStream(List<String> sent, List<String> got) {
        for (String stream : List.of("0|", "1|")) {
            List<String> a = filter(sent, stream);
            List<String> b = filter(got, stream);
            assertTrue(a.size() > 10, "source stream " + stream + " has packets");
            // only the tail may be missing: the final PES, which the receiving TS demuxer never flushes (one video
            // frame; for audio, the several AAC frames ffmpeg's muxer packed into the last PES)
            assertTrue(b.size() >= a.size() - MAX_UNFLUSHED_TAIL && b.size() <= a.size(),
                    "stream " + stream + ": received " + b.size() + " of " + a.size());
            for (int i = 0; i < b.size(); i++) {
                assertEquals(a.get(i), b.get(i), "stream " + stream + " packet " + i);
            }
        }
    }

    private static List<String> filter(List<String> packets, String streamPrefix) {
        return packets.stream().filter(p -> p.startsWith(streamPrefix)).toList();
    }

    private static int freeEvenPortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                int p = ((InetSocketAddress) a.getLocalAddress()).getPort() & ~1;
                try (DatagramChannel b = DatagramChannel.open()) {
                    b.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p + 1));
                    if (p != ((InetSocketAddress) a.getLocalAddress()).getPort()) {
                        continue;
                    }
                    return p;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        throw new IOException("no free even UDP port pair");
    }

    /** Waits until some process listens on UDP {@code port} (/proc/net/udp lists ports in hex). */
    private static void awaitUdpListener(int port, long timeoutMillis) throws IOException, InterruptedException {
        Pattern local = Pattern.compile("^\\s*\\d+:\\s+[0-9A-F]{8}:" + String.format("%04X", port) + "\\s");
        long end = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < end) {
            for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
                Matcher m = local.matcher(line);
                if (m.find()) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IOException("ffmpeg never bound UDP port " + port);
    }
}
