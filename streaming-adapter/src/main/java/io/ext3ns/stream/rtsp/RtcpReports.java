package io.ext3ns.stream.rtsp;

import java.nio.ByteBuffer;

/**
 * The RTCP a sender owes its receivers (RFC 3550 6.4.1, 6.6): a sender report tying the RTP clock to wall-clock NTP
 * time, sent soon after PLAY and every few seconds, and a BYE at the end of the stream, on which ffmpeg and other
 * players end the session instead of waiting for a time-out.
 */
final class RtcpReports {
    private static final int PT_SR = 200;
    private static final int PT_BYE = 203;
    /** Seconds from 1900 (NTP era 0) to 1970. */
    private static final long NTP_UNIX_OFFSET = 2_208_988_800L;

    private RtcpReports() {
    }

    /** A sender report, optionally followed by a BYE in the same compound packet. */
    static ByteBuffer senderReport(int ssrc, long unixMillis, int rtpTimestamp, long packets, long octets,
                                   boolean bye) {
        ByteBuffer b = ByteBuffer.allocate(bye ? 36 : 28);
        b.put((byte) 0x80).put((byte) PT_SR).putShort((short) 6).putInt(ssrc);
        long seconds = unixMillis / 1000 + NTP_UNIX_OFFSET;
        long fraction = ((unixMillis % 1000) << 32) / 1000;
        b.putInt((int) seconds).putInt((int) fraction).putInt(rtpTimestamp);
        b.putInt((int) packets).putInt((int) octets);
        if (bye) {
            b.put((byte) 0x81).put((byte) PT_BYE).putShort((short) 1).putInt(ssrc);
        }
        return b.flip();
    }
}
