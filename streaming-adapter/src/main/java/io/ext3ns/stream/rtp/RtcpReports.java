package io.ext3ns.stream.rtp;

import java.nio.ByteBuffer;

/**
 * Reads what the server needs from an RTCP compound packet a client sent (RFC 3550 6.1, 6.4): that it is one (a
 * Receiver Report, or a Sender Report, first), and the SSRCs its report blocks are about (ours). Every length is
 * checked against the datagram before it is used.
 */
public final class RtcpReports {
    private static final int SR = 200;
    private static final int RR = 201;
    /** Report blocks kept per datagram; a report has at most 31 per packet. */
    private static final int MAX_SOURCES = 32;

    private RtcpReports() {
    }

    /**
     * The SSRCs the report blocks of {@code packet} (position to limit) are about, in order; an empty array for a
     * valid report without blocks; null when the datagram is not an RTCP compound packet starting with SR or RR.
     */
    public static int[] reportedSources(ByteBuffer packet) {
        int at = packet.position();
        int end = packet.limit();
        if (end - at < 8 || !isReport(packet.get(at + 1) & 0xff)) {
            return null;
        }
        int[] found = new int[MAX_SOURCES];
        int n = 0;
        while (at + 4 <= end) {
            int first = packet.get(at) & 0xff;
            if ((first >> 6) != 2) {
                return null;
            }
            int type = packet.get(at + 1) & 0xff;
            int length = ((packet.getShort(at + 2) & 0xffff) + 1) * 4;
            if (at + length > end) {
                return null;
            }
            if (isReport(type)) {
                int blocks = first & 0x1f;
                int blockAt = at + (type == SR ? 28 : 8);
                if (blockAt + blocks * 24 > at + length) {
                    return null;
                }
                for (int b = 0; b < blocks && n < MAX_SOURCES; b++) {
                    found[n++] = packet.getInt(blockAt + b * 24);
                }
            }
            at += length;
        }
        return at == end ? java.util.Arrays.copyOf(found, n) : null;
    }

    private static boolean isReport(int type) {
        return type == SR || type == RR;
    }
}
