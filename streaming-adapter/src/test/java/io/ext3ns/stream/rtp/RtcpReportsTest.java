package io.ext3ns.stream.rtp;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Receiver Reports as clients send them (RFC 3550 6.4), and datagrams that are not RTCP reports. */
class RtcpReportsTest {
    private static ByteBuffer rr(int... sources) {
        ByteBuffer b = ByteBuffer.allocate(8 + 24 * sources.length + 12);
        b.put((byte) (0x80 | sources.length)).put((byte) 201).putShort((short) (1 + 6 * sources.length)).putInt(7);
        for (int s : sources) {
            b.putInt(s).putInt(0).putInt(100).putInt(0).putInt(0).putInt(0);
        }
        // an SDES chunk follows in a compound packet: CNAME "a"
        b.put((byte) 0x81).put((byte) 202).putShort((short) 2).putInt(7).put((byte) 1).put((byte) 1).put((byte) 'a')
                .put((byte) 0);
        return b.flip();
    }

    @Test
    void reportsAndTheSourcesTheyAreAbout() {
        assertArrayEquals(new int[]{0x1234, 0x5678}, RtcpReports.reportedSources(rr(0x1234, 0x5678)));
        assertArrayEquals(new int[0], RtcpReports.reportedSources(rr()));
    }

    @Test
    void otherDatagramsAreNotReports() {
        assertNull(RtcpReports.reportedSources(ByteBuffer.wrap(new byte[]{(byte) 0x80, 33, 0, 1, 0, 0, 0, 0})),
                "RTP");
        assertNull(RtcpReports.reportedSources(ByteBuffer.wrap(new byte[3])), "too short");
        ByteBuffer lying = rr(0x1234);
        lying.putShort(2, (short) 40); // a length past the datagram
        assertNull(RtcpReports.reportedSources(lying));
        ByteBuffer tooManyBlocks = rr(0x1234);
        tooManyBlocks.put(0, (byte) 0x85); // five blocks claimed, one there
        assertNull(RtcpReports.reportedSources(tooManyBlocks));
    }
}
