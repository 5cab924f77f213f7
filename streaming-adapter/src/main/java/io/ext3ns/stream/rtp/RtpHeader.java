package io.ext3ns.stream.rtp;

import java.nio.ByteBuffer;

/** The fixed 12-byte RTP header (RFC 3550 §5.1) as RFC 2250 uses it for MPEG-TS: no CSRC, no extension. */
public final class RtpHeader {
    public static final int SIZE = 12;
    /** RFC 3551 static payload type for MP2T. */
    public static final int PT_MP2T = 33;
    /** RTP clock for MP2T (RFC 2250 §2: 90 kHz). */
    public static final int CLOCK_HZ = 90_000;

    private RtpHeader() {
    }

    /** Writes a header at {@code index} (absolute; the buffer's position is not used or moved). */
    public static void write(ByteBuffer dst, int index, int payloadType, boolean marker, int sequence,
                             int timestamp, int ssrc) {
        dst.put(index, (byte) 0x80); // V=2, P=0, X=0, CC=0
        dst.put(index + 1, (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7f)));
        dst.putShort(index + 2, (short) sequence);
        dst.putInt(index + 4, timestamp);
        dst.putInt(index + 8, ssrc);
    }

    public static int sequence(ByteBuffer packet, int index) {
        return packet.getShort(index + 2) & 0xffff;
    }

    public static int timestamp(ByteBuffer packet, int index) {
        return packet.getInt(index + 4);
    }

    public static int payloadType(ByteBuffer packet, int index) {
        return packet.get(index + 1) & 0x7f;
    }
}
