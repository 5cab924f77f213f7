package io.ext3ns.stream.ts;

import java.nio.ByteBuffer;

/** Reading MPEG-TS (ISO/IEC 13818-1) packet fields in place, without copying. */
public final class TsPacket {
    public static final int SIZE = 188;
    public static final byte SYNC = 0x47;
    /** PCR ticks per second (27 MHz). */
    public static final long PCR_HZ = 27_000_000L;
    /** A PCR is a 33-bit 90 kHz base times 300 plus a 9-bit extension: it wraps at 2^33 * 300. */
    public static final long PCR_WRAP = (1L << 33) * 300;
    /** Returned by {@link #pcr} for a packet without a PCR. */
    public static final long NO_PCR = -1;

    private TsPacket() {
    }

    /** Throws {@link NotMpegTsException} unless the packet at {@code offset} starts with the sync byte. */
    public static void checkSync(ByteBuffer buf, int offset, long fileOffset) {
        if (buf.get(offset) != SYNC) {
            throw new NotMpegTsException(String.format(
                    "not MPEG-TS: no sync byte 0x47 at byte %d (found 0x%02x)", fileOffset, buf.get(offset) & 0xff));
        }
    }

    public static int pid(ByteBuffer buf, int offset) {
        return ((buf.get(offset + 1) & 0x1f) << 8) | (buf.get(offset + 2) & 0xff);
    }

    /**
     * The packet's PCR in 27 MHz ticks, or {@link #NO_PCR}. Only an adaptation field long enough to hold the PCR
     * flag and the 6 PCR bytes counts (a malformed length is treated as no PCR, never read past the packet).
     */
    public static long pcr(ByteBuffer buf, int offset) {
        int afc = (buf.get(offset + 3) >> 4) & 0x3;
        if ((afc & 0x2) == 0) {
            return NO_PCR;
        }
        int afLength = buf.get(offset + 4) & 0xff;
        if (afLength < 7 || afLength > 183) {
            return NO_PCR;
        }
        int flags = buf.get(offset + 5) & 0xff;
        if ((flags & 0x10) == 0) {
            return NO_PCR;
        }
        int p = offset + 6;
        long base = ((long) (buf.get(p) & 0xff) << 25) | ((buf.get(p + 1) & 0xff) << 17)
                | ((buf.get(p + 2) & 0xff) << 9) | ((buf.get(p + 3) & 0xff) << 1) | ((buf.get(p + 4) & 0x80) >> 7);
        int ext = ((buf.get(p + 4) & 0x01) << 8) | (buf.get(p + 5) & 0xff);
        return base * 300 + ext;
    }
}
