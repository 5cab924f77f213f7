package io.ext3ns.stream.ts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PcrClockTest {
    private static final int PID = 0x100;

    /** A TS packet with an adaptation field carrying {@code pcr} (27 MHz). */
    static ByteBuffer packetWithPcr(long pcr) {
        ByteBuffer b = ByteBuffer.allocate(TsPacket.SIZE);
        b.put(0, TsPacket.SYNC).put(1, (byte) (PID >> 8)).put(2, (byte) PID).put(3, (byte) 0x30);
        b.put(4, (byte) 7).put(5, (byte) 0x10);
        long base = pcr / 300;
        long ext = pcr % 300;
        b.put(6, (byte) (base >> 25)).put(7, (byte) (base >> 17)).put(8, (byte) (base >> 9)).put(9, (byte) (base >> 1));
        b.put(10, (byte) (((base & 1) << 7) | 0x7e | (ext >> 8))).put(11, (byte) ext);
        return b;
    }

    @Test
    void pcrFieldIsDecoded() {
        long pcr = 123_456_789L * 300 + 299;
        ByteBuffer p = packetWithPcr(pcr);
        assertEquals(pcr, TsPacket.pcr(p, 0));
        assertEquals(PID, TsPacket.pid(p, 0));
        p.put(5, (byte) 0); // PCR flag off
        assertEquals(TsPacket.NO_PCR, TsPacket.pcr(p, 0));
        p.put(5, (byte) 0x10).put(4, (byte) 200); // impossible adaptation field length
        assertEquals(TsPacket.NO_PCR, TsPacket.pcr(p, 0));
    }

    @Test
    void packetsBetweenPcrsRunAtTheMeasuredRateAndPcrPacketsAreOnTime() {
        PcrClock clock = new PcrClock();
        long start = 1_000_000;
        long step = 27_000_000 / 50; // a PCR every 20 ms, 10 packets apart
        for (int k = 0; k < 5; k++) {
            assertEquals(k * step, clock.next(PID, start + k * step), "PCR packet at its PCR");
            for (int i = 1; i < 10; i++) {
                long t = clock.next(PID, TsPacket.NO_PCR);
                if (k >= 1) {
                    assertEquals(k * step + i * step / 10, t, step / 100, "interpolated");
                }
            }
        }
    }

    @Test
    void wrapAroundIsUnwrappedAndDiscontinuitiesDoNotStallOrRace() {
        PcrClock clock = new PcrClock();
        long nearWrap = TsPacket.PCR_WRAP - 27_000; // 1 ms before the wrap
        clock.next(PID, nearWrap);
        assertEquals(54_000, clock.next(PID, 27_000), "across the wrap: +2 ms");
        long t = clock.next(PID, 5L * 27_000_000 * 60); // jump of minutes: a discontinuity
        assertTrue(t >= 54_000 && t < 27_000_000, "re-anchored, not minutes ahead: " + t);
        long back = clock.next(PID, 1000); // backwards: also a discontinuity
        assertTrue(back >= t, "media time never goes backwards");
    }
}
