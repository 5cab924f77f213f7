package io.ext3ns.stream.index;

import io.ext3ns.stream.testkit.TrickPlayAsset;
import io.ext3ns.stream.ts.TsPatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trick play's key frame table, as the seek index's single scan builds it ({@link PcrIndex#videoKeyframes}). */
class VideoKeyframesTest {
    private static byte[] asset;

    @BeforeAll
    static void load() throws Exception {
        asset = Files.readAllBytes(TrickPlayAsset.ts());
    }

    /** Feeds {@code data} in pieces of {@code piece} bytes (so packets are split across calls). */
    private static KeyframeTable scan(byte[] data, int piece) throws InvalidTransportStreamException {
        PcrIndexBuilder s = new PcrIndexBuilder();
        for (int at = 0; at < data.length; at += piece) {
            s.feed(ByteBuffer.wrap(data, at, Math.min(piece, data.length - at)));
        }
        return s.build().videoKeyframes();
    }

    @Test
    void oneKeyFrameASecondWithItsAccessUnitAndTime() throws Exception {
        KeyframeTable t = scan(asset, 1000);
        assertEquals(TrickPlayAsset.SECONDS * TrickPlayAsset.FPS / TrickPlayAsset.GOP, t.size());
        for (int i = 0; i < t.size(); i++) {
            int at = (int) t.offset(i);
            assertEquals(0, at % 188);
            assertEquals(t.videoPid(), ((asset[at + 1] & 0x1f) << 8) | (asset[at + 2] & 0xff));
            assertTrue((asset[at + 1] & 0x40) != 0, "a PES start");
            assertTrue((asset[at + 3] & 0x20) != 0 && (asset[at + 5] & 0x40) != 0, "random-access indicator");
            assertTrue(t.end(i) > t.offset(i) && t.end(i) <= asset.length);
            assertEquals(0, t.end(i) % 188);
            assertTrue(t.pcrLead(i) > 0 && t.pcrLead(i) <= KeyframeTable.PTS_HZ, "lead " + t.pcrLead(i));
            assertEquals(t.rawPts(i), t.time(i), "no wrap in this file: the time line is the PTS");
            if (i > 0) {
                assertTrue(t.offset(i) >= t.end(i - 1), "access units do not overlap");
                assertEquals(KeyframeTable.PTS_HZ, t.time(i) - t.time(i - 1), "one a second");
            }
        }
        assertEquals(t.size() - 1, t.atOrBefore(asset.length));
        assertEquals(-1, t.atOrBefore(t.offset(0) - 1));
        assertEquals(1, t.atOrAfter(t.offset(0) + 188));
        assertEquals(0, t.atOrBefore(t.offset(0)));
        assertEquals(t.size(), t.atOrAfter(t.offset(t.size() - 1) + 1));
        KeyframeTable whole = scan(asset, asset.length);
        for (int i = 0; i < t.size(); i++) {
            assertEquals(whole.offset(i), t.offset(i));
            assertEquals(whole.end(i), t.end(i));
        }
    }

    @Test
    void thePmtListsTheVideoStreamOnlyWithAValidCrcAndTheNextVersion() throws Exception {
        KeyframeTable t = scan(asset, 65536);
        byte[] pmt = t.pmtPacket();
        assertEquals(t.pmtPid(), ((pmt[1] & 0x1f) << 8) | (pmt[2] & 0xff));
        int s = 5 + pmt[4];
        assertEquals(0x02, pmt[s]);
        int length = ((pmt[s + 1] & 0x0f) << 8) | (pmt[s + 2] & 0xff);
        assertEquals(0, TsPatch.psiCrc32(pmt, s, 3 + length), "CRC over the section and its CRC is 0");
        int programInfo = ((pmt[s + 10] & 0x0f) << 8) | (pmt[s + 11] & 0xff);
        int e = s + 12 + programInfo;
        assertEquals(0x1b, pmt[e] & 0xff, "H.264");
        assertEquals(t.videoPid(), ((pmt[e + 1] & 0x1f) << 8) | (pmt[e + 2] & 0xff));
        int esInfo = ((pmt[e + 3] & 0x0f) << 8) | (pmt[e + 4] & 0xff);
        assertEquals(s + 3 + length - 4, e + 5 + esInfo, "one stream only");
        // the file's own PMT: same program, one version earlier
        for (int at = 0; at < asset.length; at += 188) {
            if ((((asset[at + 1] & 0x1f) << 8) | (asset[at + 2] & 0xff)) == t.pmtPid()) {
                int version = (asset[at + 5 + asset[at + 4] + 5] >> 1) & 0x1f;
                assertEquals((version + 1) & 0x1f, (pmt[s + 5] >> 1) & 0x1f);
                break;
            }
        }
    }

    @Test
    void withoutVideoPacketsThereIsNothingToTrickPlay() throws Exception {
        int video = scan(asset, asset.length).videoPid();
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (int at = 0; at < asset.length; at += 188) {
            if ((((asset[at + 1] & 0x1f) << 8) | (asset[at + 2] & 0xff)) != video) {
                rest.write(asset, at, 188);
            } else if ((asset[at + 3] & 0x20) != 0 && (asset[at + 4] & 0xff) >= 7 && (asset[at + 5] & 0x10) != 0) {
                // the title needs its PCRs to be served: keep them, as adaptation-only packets (no video left)
                byte[] p = java.util.Arrays.copyOfRange(asset, at, at + 188);
                p[1] &= (byte) ~0x40;
                p[3] = (byte) (0x20 | (p[3] & 0x0f));
                p[5] &= (byte) ~0x40;
                java.util.Arrays.fill(p, 5 + (asset[at + 4] & 0xff), 188, (byte) 0xff);
                p[4] = (byte) 183;
                rest.write(p, 0, 188);
            }
        }
        assertEquals(0, scan(rest.toByteArray(), 4096).size());
    }

    @Test
    void lostSyncIsRefused() {
        byte[] broken = asset.clone();
        broken[188 * 100] = 0x00;
        assertThrows(InvalidTransportStreamException.class, () -> scan(broken, 8192));
    }
}
