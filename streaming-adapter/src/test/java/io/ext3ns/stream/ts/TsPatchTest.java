package io.ext3ns.stream.ts;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TsPatchTest {
    /** A packet starting a video PES with PTS and DTS (and an adaptation field of {@code af} bytes). */
    private static ByteBuffer pesPacket(int af) {
        ByteBuffer b = ByteBuffer.allocate(188 + 10);
        int at = 10;
        b.put(at, (byte) 0x47).put(at + 1, (byte) 0x41).put(at + 2, (byte) 0x00).put(at + 3, (byte) 0x37);
        b.put(at + 4, (byte) af);
        if (af > 0) {
            b.put(at + 5, (byte) 0x40);
        }
        int p = at + 5 + af;
        byte[] pes = {0, 0, 1, (byte) 0xe0, 0, 0, (byte) 0x80, (byte) 0xc0, 10,
            0x31, 0, 1, 0, 1, 0x11, 0, 1, 0, 1};
        b.put(p, pes);
        return b;
    }

    private static long timestamp(ByteBuffer b, int p) {
        assertEquals(1, b.get(p) & 1);
        assertEquals(1, b.get(p + 2) & 1);
        assertEquals(1, b.get(p + 4) & 1);
        return ((long) (b.get(p) & 0x0e) << 29) | ((b.get(p + 1) & 0xff) << 22) | ((b.get(p + 2) & 0xfe) << 14)
                | ((b.get(p + 3) & 0xff) << 7) | ((b.get(p + 4) & 0xfe) >> 1);
    }

    @Test
    void ptsAndDtsBecomeTheGivenTimeModulo33Bits() {
        for (int af : new int[]{0, 7}) {
            ByteBuffer b = pesPacket(af);
            long value = (1L << 33) + 123_456_789L;
            assertTrue(TsPatch.replacePesTimestamps(b, 10, value));
            int p = 10 + 5 + af;
            assertEquals(123_456_789L, timestamp(b, p + 9));
            assertEquals(123_456_789L, timestamp(b, p + 14));
            assertEquals(0x30, b.get(p + 9) & 0xf0, "PTS prefix kept");
            assertEquals(0x10, b.get(p + 14) & 0xf0, "DTS prefix kept");
            assertTrue(TsPatch.replacePesTimestamps(b, 10, (1L << 33) - 1));
            assertEquals((1L << 33) - 1, timestamp(b, p + 9));
        }
        ByteBuffer noStart = pesPacket(0);
        noStart.put(11, (byte) 0x01); // not a unit start
        assertFalse(TsPatch.replacePesTimestamps(noStart, 10, 5));
    }

    @Test
    void pcrPacketsAndPcrsReadBackAsWritten() {
        ByteBuffer b = ByteBuffer.allocate(188 * 2);
        long pcr = 12_345_678_901L;
        TsPatch.putPcrPacket(b, 188, 0x100, 9, pcr);
        assertEquals(0x100, TsPacket.pid(b, 188));
        assertEquals(pcr, TsPacket.pcr(b, 188));
        assertEquals(9, b.get(188 + 3) & 0x0f);
        assertFalse(TsPatch.hasPayload(b, 188));
        assertTrue(TsPatch.replacePcr(b, 188, TsPacket.PCR_WRAP + 42));
        assertEquals(42, TsPacket.pcr(b, 188));
        TsPatch.setContinuity(b, 188, 0x1f);
        assertEquals(0x2f, b.get(188 + 3) & 0xff);
        assertFalse(TsPatch.replacePcr(pesPacket(0), 10, 1), "no PCR to replace");
    }

    @Test
    void psiCrcIsTheMpeg2Crc() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x0376e6e7, TsPatch.psiCrc32(check, 0, check.length));
    }
}
