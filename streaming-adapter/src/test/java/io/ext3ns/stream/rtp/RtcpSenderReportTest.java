package io.ext3ns.stream.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RtcpSenderReportTest {
    @Test
    void compoundPacketHasSenderReportSdesAndBye() {
        long unixNanos = 1_700_000_000L * 1_000_000_000L + 500_000_000L;
        ByteBuffer b = RtcpSenderReport.build(0x11223344, unixNanos, 90_000, 10, 13_160, "ext3ns", true);
        assertEquals(0x80, b.get(0) & 0xff);
        assertEquals(200, b.get(1) & 0xff, "SR");
        assertEquals(6, b.getShort(2), "length in words minus one");
        assertEquals(0x11223344, b.getInt(4));
        assertEquals(1_700_000_000L + 2_208_988_800L, b.getInt(8) & 0xffffffffL, "NTP seconds");
        assertEquals(1L << 31, b.getInt(12) & 0xffffffffL, "NTP fraction of 0.5 s");
        assertEquals(90_000, b.getInt(16));
        assertEquals(10, b.getInt(20));
        assertEquals(13_160, b.getInt(24));
        assertEquals(202, b.get(29) & 0xff, "SDES");
        int sdesWords = b.getShort(30) + 1;
        assertEquals(1, b.get(36), "CNAME item");
        assertEquals(6, b.get(37));
        int bye = 28 + sdesWords * 4;
        assertEquals(203, b.get(bye + 1) & 0xff, "BYE");
        assertEquals(bye + 8, b.remaining());
    }
}
