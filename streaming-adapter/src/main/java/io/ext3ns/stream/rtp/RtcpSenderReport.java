package io.ext3ns.stream.rtp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An RTCP compound packet of a Sender Report (RFC 3550 §6.4.1, no report blocks) and an SDES CNAME (§6.5.1; RFC
 * 3550 §6.1 requires every compound packet to carry one), optionally followed by a BYE (§6.6) at the end of a
 * stream.
 */
public final class RtcpSenderReport {
    /** Seconds from 1900 (NTP epoch) to 1970 (Unix epoch). */
    private static final long NTP_UNIX_OFFSET_S = 2_208_988_800L;
    private static final int SR_BYTES = 28;
    private static final int BYE_BYTES = 8;

    private RtcpSenderReport() {
    }

    /**
     * Builds the compound packet.
     *
     * @param ssrc          the stream's SSRC
     * @param wallclockNanos wall-clock time (Unix epoch, ns) the report describes
     * @param rtpTimestamp  the RTP timestamp corresponding to that instant
     * @param packets       RTP packets sent so far
     * @param payloadOctets RTP payload bytes sent so far
     * @param cname         canonical name (at most 255 bytes of US-ASCII)
     * @param bye           append a BYE
     */
    public static ByteBuffer build(int ssrc, long wallclockNanos, int rtpTimestamp, long packets, long payloadOctets,
                                   String cname, boolean bye) {
        byte[] name = cname.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (name.length > 255) {
            throw new IllegalArgumentException("CNAME longer than 255 bytes");
        }
        // SDES: 4 header + 4 SSRC + 2 item header + name + at least one null, padded to 32 bits
        int sdesBytes = (4 + 4 + 2 + name.length + 1 + 3) & ~3;
        ByteBuffer b = ByteBuffer.allocate(SR_BYTES + sdesBytes + (bye ? BYE_BYTES : 0)).order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0x80).put((byte) 200).putShort((short) (SR_BYTES / 4 - 1)).putInt(ssrc);
        long seconds = Math.floorDiv(wallclockNanos, 1_000_000_000L) + NTP_UNIX_OFFSET_S;
        long fraction = (Math.floorMod(wallclockNanos, 1_000_000_000L) << 32) / 1_000_000_000L;
        b.putInt((int) seconds).putInt((int) fraction).putInt(rtpTimestamp);
        b.putInt((int) packets).putInt((int) payloadOctets); // both wrap modulo 2^32 by definition
        b.put((byte) 0x81).put((byte) 202).putShort((short) (sdesBytes / 4 - 1)).putInt(ssrc);
        b.put((byte) 1).put((byte) name.length).put(name);
        while (b.position() < SR_BYTES + sdesBytes) {
            b.put((byte) 0);
        }
        if (bye) {
            b.put((byte) 0x81).put((byte) 203).putShort((short) 1).putInt(ssrc);
        }
        return b.flip();
    }
}
