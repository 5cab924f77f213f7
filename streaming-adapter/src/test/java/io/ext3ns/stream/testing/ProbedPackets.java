package io.ext3ns.stream.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packets ffprobe sees in a file, per stream: (size, md5 of the data) and pts, from
 * {@code ffprobe -show_data_hash md5 -of json}. Compares a received file with its source the way
 * docs/server.md says: locate the first received packet of each stream in the source, then require every received
 * packet but the last (the demuxer never flushes it) to match the source in order.
 */
public final class ProbedPackets {
    public record Packet(long size, String md5, double ptsSeconds) {
        boolean sameData(Packet o) {
            return size == o.size && md5.equals(o.md5);
        }
    }

    private static final Pattern PACKET = Pattern.compile(
            "\"stream_index\": (\\d+),.*?\"pts_time\": \"([^\"]*)\".*?\"size\": \"(\\d+)\".*?"
                    + "\"data_hash\": \"MD5:([0-9a-f]+)\"", Pattern.DOTALL);

    private final Map<Integer, List<Packet>> streams;

    private ProbedPackets(Map<Integer, List<Packet>> streams) {
        this.streams = streams;
    }

    public static ProbedPackets of(Path file) throws IOException, InterruptedException {
        String json = Processes.run(List.of("ffprobe", "-v", "error", "-show_entries",
                "packet=stream_index,pts_time,size,data_hash", "-show_data_hash", "md5", "-of", "json",
                file.toString()), 120);
        Map<Integer, List<Packet>> streams = new TreeMap<>();
        Matcher m = PACKET.matcher(json);
        while (m.find()) {
            streams.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>())
                    .add(new Packet(Long.parseLong(m.group(3)), m.group(4), parsePts(m.group(2))));
        }
        return new ProbedPackets(streams);
    }

    private static double parsePts(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN; // "N/A"
        }
    }

    public Map<Integer, List<Packet>> streams() {
        return streams;
    }

    /**
     * Checks that this received file is a contiguous run of {@code source}'s packets, stream by stream, all but the
     * last packet of each stream. Returns, per stream, the index in the source of the first received packet.
     * Throws AssertionError describing the first mismatch.
     */
    public Map<Integer, Integer> assertContiguousRunOf(ProbedPackets source) {
        if (!streams.keySet().equals(source.streams.keySet())) {
            throw new AssertionError("streams differ: received " + streams.keySet() + ", source "
                    + source.streams.keySet());
        }
        Map<Integer, Integer> starts = new TreeMap<>();
        for (var e : streams.entrySet()) {
            List<Packet> rx = e.getValue();
            List<Packet> src = source.streams.get(e.getKey());
            if (rx.size() < 2) {
                throw new AssertionError("stream " + e.getKey() + ": only " + rx.size() + " packets received");
            }
            // a sine tone encodes to identical AAC frames: try every place the first packet occurs
            int start = -1;
            int bestRun = -1;
            int bestStart = -1;
            for (int i = 0; i < src.size() && start < 0; i++) {
                int run = matchingRun(src, i, rx);
                if (run == rx.size() - 1) {
                    start = i;
                } else if (run > bestRun) {
                    bestRun = run;
                    bestStart = i;
                }
            }
            if (start < 0) {
                throw new AssertionError("stream " + e.getKey() + ": received packets are not a run of the source"
                        + " (best: " + bestRun + " of " + (rx.size() - 1) + " from source packet " + bestStart + ")");
            }
            starts.put(e.getKey(), start);
        }
        return starts;
    }

    /** How many of {@code rx}'s packets but the last match {@code src} from {@code start} on. */
    private static int matchingRun(List<Packet> src, int start, List<Packet> rx) {
        int n = 0;
        while (n < rx.size() - 1 && start + n < src.size() && src.get(start + n).sameData(rx.get(n))) {
            n++;
        }
        return n;
    }

    /**
     * Asserts this file holds all of {@code source}'s packets from the start, all but those of the last PES of each
     * stream: the TS demuxer only emits a PES when the next one starts, and ffmpeg's muxer packs several audio
     * frames (up to 2930 bytes, ~0.2 s of 128 kbit/s AAC) into one PES. So the packets missing at the end may span
     * at most {@link #LAST_PES_SECONDS} of media time.
     */
    public void assertWholeOf(ProbedPackets source) {
        Map<Integer, Integer> starts = assertContiguousRunOf(source);
        for (var e : starts.entrySet()) {
            List<Packet> src = source.streams.get(e.getKey());
            int received = streams.get(e.getKey()).size() - 1; // the last one received is not compared
            int missing = src.size() - received;
            double missingSpan = missing <= 1 ? 0 : src.get(src.size() - 1).ptsSeconds() - src.get(received).ptsSeconds();
            if (e.getValue() != 0 || !(missingSpan <= LAST_PES_SECONDS)) {
                throw new AssertionError("stream " + e.getKey() + ": received from source packet " + e.getValue()
                        + ", " + missing + " packets (" + missingSpan + " s) short");
            }
        }
    }

    /**
     * Asserts every packet of every stream of {@code source} but the last is in this file, in order, from the first
     * on, with the same size and md5 (the last may be missing: an RTSP client's demuxer never emits the PES the
     * stream ends with; with one frame per PES, as the conformance assets are muxed, that is one packet).
     */
    public void assertEveryPacketButTheLastOf(ProbedPackets source) {
        if (!streams.keySet().equals(source.streams.keySet())) {
            throw new AssertionError("streams differ: received " + streams.keySet() + ", source "
                    + source.streams.keySet());
        }
        for (var e : source.streams.entrySet()) {
            List<Packet> src = e.getValue();
            List<Packet> rx = streams.get(e.getKey());
            int need = src.size() - 1;
            for (int i = 0; i < need; i++) {
                if (i >= rx.size()) {
                    throw new AssertionError("stream " + e.getKey() + ": " + rx.size() + " of " + src.size()
                            + " packets received (missing from pts " + src.get(i).ptsSeconds() + " s)");
                }
                boolean lastReceived = i == rx.size() - 1 && i == need - 1;
                if (!src.get(i).sameData(rx.get(i)) && !(lastReceived && heldBackBytes(src.get(i), rx.get(i)))) {
                    throw new AssertionError("stream " + e.getKey() + ": packet " + i + " (pts "
                            + src.get(i).ptsSeconds() + " s) differs from the source");
                }
            }
        }
    }

    /**
     * The packet before the last, when it is the last one an RTSP client's demuxer emitted, may lack up to 4 bytes:
     * ffmpeg's parser ends an access unit where the next one's start code begins, and the zero byte of a 4-byte
     * start code (HEVC) counts to the unit before it; with the final PES never emitted, the receiver has no next
     * start code, and that byte stays in the PES it never emits. At most 4 bytes short (pts are not compared: mpv's
     * recording moves them).
     */
    private static boolean heldBackBytes(Packet source, Packet received) {
        return received.size() < source.size() && received.size() >= source.size() - 4;
    }

    /** Media time one PES may hold at the end of a stream (see {@link #assertWholeOf}). */
    public static final double LAST_PES_SECONDS = 0.3;
}
