package io.ext3ns.stream.index;

import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcrIndexTest {
    @Test
    void indexesTheAssetFedInOddPieces() throws Exception {
        byte[] ts = Files.readAllBytes(TestAsset.ts());
        PcrIndexBuilder builder = new PcrIndexBuilder();
        for (int at = 0; at < ts.length; at += 1000) { // pieces that split TS packets
            builder.feed(ByteBuffer.wrap(ts, at, Math.min(1000, ts.length - at)));
        }
        PcrIndex index = builder.build();
        assertEquals(ts.length, index.fileSize());
        assertTrue(index.pcrCount() > 400, "PCRs: " + index.pcrCount());
        assertTrue(index.randomAccessCount() >= 4, "key frames: " + index.randomAccessCount());
        assertEquals(10.0, index.durationSeconds(), 0.5);
        long previous = -1;
        for (long off = 0; off <= ts.length; off += 188 * 50) {
            long t = index.timeAt(off);
            assertTrue(t >= previous, "media time goes backwards at " + off);
            previous = t;
        }
        for (double s : new double[]{1, 3.3, 5, 7.9}) {
            long off = index.seekOffset(s);
            assertEquals(0, off % 188);
            assertTrue((ts[(int) off + 3] & 0x20) != 0 && (ts[(int) off + 5] & 0x40) != 0,
                    "seek to " + s + " s does not land on a random-access point");
            double at = index.timeAt(off) / (double) PcrIndex.PCR_HZ;
            assertTrue(at <= s && at > s - 2.5, "seek to " + s + " s lands at " + at + " s");
        }
        assertEquals(0, index.seekOffset(0));
        assertEquals(ts.length, index.seekOffset(1e6));
    }

    @Test
    void refusesWhatIsNotTransportStream() {
        PcrIndexBuilder lostSync = new PcrIndexBuilder();
        byte[] junk = new byte[188 * 3];
        junk[0] = 0x47;
        assertThrows(InvalidTransportStreamException.class, () -> lostSync.feed(ByteBuffer.wrap(junk)));
        PcrIndexBuilder noPcr = new PcrIndexBuilder();
        byte[] padding = new byte[188 * 4];
        for (int i = 0; i < padding.length; i += 188) {
            padding[i] = 0x47;
            padding[i + 1] = 0x1f;
            padding[i + 2] = (byte) 0xff;
            padding[i + 3] = 0x10;
        }
        assertThrows(InvalidTransportStreamException.class, () -> {
            noPcr.feed(ByteBuffer.wrap(padding));
            noPcr.build();
        });
    }
}
