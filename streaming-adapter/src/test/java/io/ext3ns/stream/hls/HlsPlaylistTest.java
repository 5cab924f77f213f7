package io.ext3ns.stream.hls;

import io.ext3ns.stream.index.InvalidTransportStreamException;
import io.ext3ns.stream.index.Keyframes;
import io.ext3ns.stream.index.PcrIndex;
import io.ext3ns.stream.index.PcrIndexBuilder;
import io.ext3ns.stream.testing.Processes;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segment plans and playlist texts on titles ffmpeg made: cuts at key frames near the target, byte ranges that tile
 * the file, #EXTINF exact against ffprobe's key frame timestamps, #EXT-X-TARGETDURATION as RFC 8216 4.3.3.1 asks,
 * I-frame ranges holding exactly their key frame's packets, and damaged input refused or cut at whole packets.
 */
class HlsPlaylistTest {
    private static final long SIX_SECONDS = 6 * PcrIndex.PCR_HZ;
    private static final Pattern ENTRY = Pattern.compile("#EXTINF:([0-9.]+),\n#EXT-X-BYTERANGE:(\\d+)@(\\d+)\n(.*)\n");

    static PcrIndex index(byte[] ts, int length) throws InvalidTransportStreamException {
        PcrIndexBuilder b = new PcrIndexBuilder();
        for (int at = 0; at < length; at += 65536) { // pieces that split packets
            b.feed(ByteBuffer.wrap(ts, at, Math.min(65536, length - at)));
        }
        return b.build();
    }

    @Test
    void cutsAtKeyFramesNearTheTargetAndTilesTheFile() throws Exception {
        byte[] ts = HlsAssets.bytes(HlsAssets.video());
        PcrIndex index = index(ts, ts.length);
        Keyframes kf = index.keyframes();
        assertTrue(kf.video());
        assertEquals(HlsAssets.SECONDS / 2, kf.count(), "a key frame every 2 s");
        SegmentPlan plan = SegmentPlan.of(index, SIX_SECONDS);
        assertEquals(12, plan.count(), "70 s in 6 s segments: 11 and a 4 s tail");
        long at = 0;
        for (int i = 0; i < plan.count(); i++) {
            assertEquals(at, plan.offset(i), "segments tile the file");
            at += plan.length(i);
            if (i > 0) {
                assertStartsWithTablesThenKeyFrame(ts, (int) plan.offset(i));
            }
            if (i > 0 && i < plan.count() - 1) { // the first starts at the earliest frame of any stream
                assertEquals(6.0, plan.durationTicks(i) / (double) PcrIndex.PCR_HZ, 1e-6, "segment " + i);
            }
        }
        assertEquals(ts.length, at);

        // #EXTINF exact: the cut times are ffprobe's key frame PTS, differences to the microsecond
        List<Double> keyPts = new ArrayList<>();
        for (String line : Processes.run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "packet=pts_time,flags", "-of", "csv=p=0", HlsAssets.video().toString()), 60).split("\n")) {
            String[] f = line.trim().split(",");
            if (f.length == 2 && f[1].startsWith("K")) {
                keyPts.add(Double.parseDouble(f[0]));
            }
        }
        assertEquals(kf.count(), keyPts.size(), "our key frames are ffprobe's");
        for (int i = 1; i < kf.count(); i++) {
            assertEquals(keyPts.get(i) - keyPts.get(0), (kf.time(i) - kf.time(0)) / (double) PcrIndex.PCR_HZ, 2e-5);
        }
        double fileDuration = Double.parseDouble(Processes.run(List.of("ffprobe", "-v", "error", "-show_entries",
                "format=duration", "-of", "csv=p=0", HlsAssets.video().toString()), 60).trim());
        String media = Playlists.media(plan, "../title.ts?exp=1&sig=x");
        List<String[]> entries = entries(media);
        double sum = 0;
        long maxRounded = 0;
        for (String[] e : entries) {
            sum += Double.parseDouble(e[0]);
            maxRounded = Math.max(maxRounded, new BigDecimal(e[0]).setScale(0, RoundingMode.HALF_UP).longValue());
            assertEquals("../title.ts?exp=1&sig=x", e[3]);
        }
        assertEquals(fileDuration, sum, 0.05, "#EXTINF add up to the title's duration");
        assertTrue(media.startsWith("#EXTM3U\n#EXT-X-VERSION:4\n"), media);
        assertTrue(media.contains("\n#EXT-X-TARGETDURATION:" + maxRounded + "\n"), media);
        assertTrue(media.contains("\n#EXT-X-PLAYLIST-TYPE:VOD\n") && media.endsWith("#EXT-X-ENDLIST\n"), media);

        SegmentPlan tens = SegmentPlan.of(index, 10 * PcrIndex.PCR_HZ);
        for (int i = 1; i < tens.count() - 1; i++) { // key frames every 2 s: 10 s is reachable exactly
            assertEquals(10.0, tens.durationTicks(i) / (double) PcrIndex.PCR_HZ, 1e-6);
        }
        SegmentPlan fives = SegmentPlan.of(index, 5 * PcrIndex.PCR_HZ);
        for (int i = 1; i < fives.count() - 1; i++) { // 4 or 6: the nearer one, never past 7
            double d = fives.durationTicks(i) / (double) PcrIndex.PCR_HZ;
            assertTrue(Math.abs(d - 4) < 1e-6 || Math.abs(d - 6) < 1e-6, "5 s target gave " + d);
        }
    }

    @Test
    void iframePlaylistHoldsEachKeyFramesPackets() throws Exception {
        byte[] ts = HlsAssets.bytes(HlsAssets.video());
        PcrIndex index = index(ts, ts.length);
        String text = Playlists.iframes(index, "../title.ts");
        assertTrue(text.contains("\n#EXT-X-I-FRAMES-ONLY\n") && text.contains("#EXT-X-VERSION:4"), text);
        List<String[]> entries = entries(text);
        assertEquals(index.keyframes().count(), entries.size());
        int videoPid = videoPid(ts, (int) index.keyframes().start(1));
        for (String[] e : entries.subList(0, entries.size() - 1)) {
            assertEquals(2.0, Double.parseDouble(e[0]), 1e-6); // the last runs to the end of the last frame
        }
        for (String[] e : entries) {
            int length = Integer.parseInt(e[1]);
            int offset = Integer.parseInt(e[2]);
            assertEquals(0, offset % 188);
            assertEquals(0, length % 188);
            // from the tables to the key frame's last packet: one PES start on the video PID, and the next packet
            // of that PID after the range starts the next PES
            int starts = 0;
            for (int p = offset; p < offset + length; p += 188) {
                if (pid(ts, p) == videoPid && (ts[p + 1] & 0x40) != 0) {
                    starts++;
                }
            }
            assertEquals(1, starts, "one PES start in the range at " + offset);
            int next = offset + length;
            while (next < ts.length && pid(ts, next) != videoPid) {
                next += 188;
            }
            assertTrue(next >= ts.length || (ts[next + 1] & 0x40) != 0, "range at " + offset + " cuts a PES");
        }
        String master = Playlists.master(index, SegmentPlan.of(index, SIX_SECONDS), "a=1");
        assertTrue(master.contains("CODECS=\"avc1.") && master.contains(",mp4a.40.2\""), master);
        assertTrue(master.contains("\nindex.m3u8?a=1\n") && master.contains("URI=\"iframes.m3u8?a=1\""), master);
        Matcher bw = Pattern.compile("#EXT-X-STREAM-INF:BANDWIDTH=(\\d+)").matcher(master);
        assertTrue(bw.find());
        long bandwidth = Long.parseLong(bw.group(1));
        assertTrue(bandwidth > 200_000 && bandwidth < 2_000_000, "peak bit rate " + bandwidth);
    }

    @Test
    void paddedConstantRateStreamsStartIFramesAtTheirTables() throws Exception {
        // the shared asset is muxed at a constant 2 Mbit/s: PCR-only packets on the video PID and null packets
        byte[] ts = java.nio.file.Files.readAllBytes(io.ext3ns.stream.testkit.TestAsset.ts());
        PcrIndex index = index(ts, ts.length);
        List<String[]> entries = entries(Playlists.iframes(index, "../asset.ts"));
        assertEquals(index.keyframes().count(), entries.size());
        assertTrue(entries.size() >= 4, "key frames: " + entries.size());
        for (String[] e : entries) {
            assertEquals(0, pid(ts, Integer.parseInt(e[2])), "I-frame range at " + e[2] + " starts with the PAT");
        }
    }

    @Test
    void keyFramesWithoutTablesGetAnIFrameMap() throws Exception {
        // the title with its PAT and PMT only at the start, as some muxers write them
        byte[] ts = HlsAssets.bytes(HlsAssets.video());
        int pmtPid = -1;
        java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream(ts.length);
        int tablesKept = 0;
        for (int p = 0; p < ts.length; p += 188) {
            int pid = pid(ts, p);
            if (pid == 0 && pmtPid < 0) {
                pmtPid = ((ts[p + 15] & 0x1f) << 8) | (ts[p + 16] & 0xff); // first program of a one-packet PAT
            }
            boolean table = pid == 0 || pid == pmtPid;
            if (!table || tablesKept++ < 2) {
                kept.write(ts, p, 188);
            }
        }
        byte[] stripped = kept.toByteArray();
        PcrIndex index = index(stripped, stripped.length);
        String text = Playlists.iframes(index, "../t.ts");
        assertTrue(text.contains("#EXT-X-VERSION:5\n") && text.contains("#EXT-X-MAP:URI=\"../t.ts\",BYTERANGE=\""),
                text);
        Matcher map = Pattern.compile("BYTERANGE=\"(\\d+)@(\\d+)\"").matcher(text);
        assertTrue(map.find());
        int mapOffset = Integer.parseInt(map.group(2));
        assertEquals(0, pid(stripped, mapOffset), "the map starts at the PAT");
        assertEquals(pmtPid, pid(stripped, mapOffset + Integer.parseInt(map.group(1)) - 188), "and ends with the PMT");
        List<String[]> entries = entries(text);
        assertEquals(HlsAssets.SECONDS / 2, entries.size());
        for (String[] e : entries.subList(1, entries.size())) {
            int at = Integer.parseInt(e[2]);
            assertTrue((stripped[at + 1] & 0x40) != 0 && (stripped[at + 3] & 0x20) != 0 && (stripped[at + 5] & 0x40) != 0,
                    "an I-frame range without tables starts at its key frame's first packet: " + at);
        }
        SegmentPlan plan = SegmentPlan.of(index, SIX_SECONDS);
        assertEquals(12, plan.count());
        assertTrue(!Playlists.media(plan, "../t.ts").contains("EXT-X-MAP"), "media segments keep the stream's tables");
    }

    @Test
    void audioOnlyTitlesHaveSegmentsButNoIFrames() throws Exception {
        byte[] ts = HlsAssets.bytes(HlsAssets.audioOnly());
        PcrIndex index = index(ts, ts.length);
        assertTrue(!index.keyframes().video() && index.keyframes().count() > 50, index.keyframes().toString());
        SegmentPlan plan = SegmentPlan.of(index, SIX_SECONDS);
        assertTrue(plan.count() >= 3 && plan.count() <= 4, "segments: " + plan.count());
        for (int i = 0; i < plan.count() - 1; i++) {
            assertEquals(6.0, plan.durationTicks(i) / (double) PcrIndex.PCR_HZ, 0.25); // PES of ~0.2 s
        }
        assertNull(Playlists.iframes(index, "../radio.ts"));
        assertTrue(Playlists.master(index, plan, "").contains("CODECS=\"mp4a.40.2\""));
    }

    @Test
    void truncatedAndDamagedStreams() throws Exception {
        byte[] ts = HlsAssets.bytes(HlsAssets.video());
        int cut = ts.length / 2 + 100; // mid-packet
        PcrIndex half = index(ts, cut);
        SegmentPlan plan = SegmentPlan.of(half, SIX_SECONDS);
        assertEquals(cut / 188 * 188, plan.offset(plan.count() - 1) + plan.length(plan.count() - 1),
                "the last segment ends at the last whole packet");
        assertTrue(plan.count() >= 5 && plan.count() <= 7);
        byte[] junk = Arrays.copyOf(ts, 188 * 1000);
        junk[188 * 500] = 0x12; // sync byte lost in the middle
        assertThrows(InvalidTransportStreamException.class, () -> index(junk, junk.length));
        byte[] tiny = Arrays.copyOf(ts, 100); // less than one packet
        assertThrows(InvalidTransportStreamException.class, () -> index(tiny, tiny.length));
        assertEquals(6, Playlists.roundedSeconds(6 * PcrIndex.PCR_HZ + PcrIndex.PCR_HZ / 2 - 27)); // 6.499999
        assertEquals(7, Playlists.roundedSeconds(6 * PcrIndex.PCR_HZ + PcrIndex.PCR_HZ / 2)); // 6.5 rounds up
        assertEquals(7, Playlists.roundedSeconds(6 * PcrIndex.PCR_HZ + PcrIndex.PCR_HZ / 2 - 10)); // prints 6.500000
    }

    static List<String[]> entries(String playlist) {
        List<String[]> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(playlist);
        while (m.find()) {
            out.add(new String[]{m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return out;
    }

    private static int pid(byte[] ts, int at) {
        return ((ts[at + 1] & 0x1f) << 8) | (ts[at + 2] & 0xff);
    }

    /** The PID of the first packet at or after {@code at} that starts a PES with the random-access flag. */
    private static int videoPid(byte[] ts, int at) {
        for (int p = at; p < ts.length; p += 188) {
            if ((ts[p + 1] & 0x40) != 0 && (ts[p + 3] & 0x20) != 0 && (ts[p + 5] & 0x40) != 0) {
                return pid(ts, p);
            }
        }
        throw new AssertionError("no key frame after " + at);
    }

    /** A segment starts with PAT/PMT (and nothing of the video PID) before a key frame's first packet. */
    private static void assertStartsWithTablesThenKeyFrame(byte[] ts, int at) {
        assertEquals(0x47, ts[at] & 0xff);
        assertEquals(0, pid(ts, at), "segment at " + at + " starts with the PAT");
        int video = videoPid(ts, at);
        for (int p = at; p < ts.length; p += 188) {
            if (pid(ts, p) == video) {
                assertTrue((ts[p + 1] & 0x40) != 0 && (ts[p + 3] & 0x20) != 0 && (ts[p + 5] & 0x40) != 0,
                        "the segment at " + at + " starts its video with a key frame");
                return;
            }
        }
    }
}
