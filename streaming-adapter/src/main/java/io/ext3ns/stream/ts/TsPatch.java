package io.ext3ns.stream.ts;

import java.nio.ByteBuffer;

/**
 * Rewriting MPEG-TS (ISO/IEC 13818-1) packet fields in place, for streams the server assembles from pieces of a
 * file (trick play): continuity counters, PCRs, a PES header's PTS/DTS, and a PCR-only packet. Each method works on
 * the 188 bytes at {@code at} and leaves every other byte alone.
 */
public final class TsPatch {
    /** PTS/DTS are 33-bit 90 kHz counts. */
    public static final long PTS_WRAP = 1L << 33;

    private TsPatch() {
    }

    /** Whether the packet carries payload (adaptation_field_control 01 or 11). */
    public static boolean hasPayload(ByteBuffer b, int at) {
        return (b.get(at + 3) & 0x10) != 0;
    }

    /** Sets the 4-bit continuity counter. */
    public static void setContinuity(ByteBuffer b, int at, int cc) {
        b.put(at + 3, (byte) ((b.get(at + 3) & 0xf0) | (cc & 0x0f)));
    }

    /** Overwrites the packet's PCR (27 MHz ticks, taken modulo the PCR wrap) if it has one; returns whether it did. */
    public static boolean replacePcr(ByteBuffer b, int at, long pcr) {
        if (TsPacket.pcr(b, at) == TsPacket.NO_PCR) {
            return false;
        }
        putPcr(b, at + 6, pcr);
        return true;
    }

    private static void putPcr(ByteBuffer b, int p, long pcr) {
        long v = Math.floorMod(pcr, TsPacket.PCR_WRAP);
        long base = v / 300;
        int ext = (int) (v % 300);
        b.put(p, (byte) (base >>> 25));
        b.put(p + 1, (byte) (base >>> 17));
        b.put(p + 2, (byte) (base >>> 9));
        b.put(p + 3, (byte) (base >>> 1));
        b.put(p + 4, (byte) (((base & 1) << 7) | 0x7e | (ext >>> 8)));
        b.put(p + 5, (byte) ext);
    }

    /**
     * If the packet starts a PES whose header has a PTS, sets the PTS to {@code pts} (90 kHz, modulo 2^33) and a DTS,
     * if present, to the same value (a picture decoded as soon as it is presented: right for a stream of key frames
     * only). Returns whether a PTS was written.
     */
    public static boolean replacePesTimestamps(ByteBuffer b, int at, long pts) {
        if ((b.get(at + 1) & 0x40) == 0 || !hasPayload(b, at)) {
            return false;
        }
        int afc = (b.get(at + 3) >> 4) & 0x3;
        int p = at + 4;
        if ((afc & 0x2) != 0) {
            int afLength = b.get(at + 4) & 0xff;
            if (afLength > 182) {
                return false;
            }
            p += 1 + afLength;
        }
        if (p + 14 > at + TsPacket.SIZE || b.get(p) != 0 || b.get(p + 1) != 0 || b.get(p + 2) != 1
                || (b.get(p + 7) & 0x80) == 0) {
            return false;
        }
        boolean dts = (b.get(p + 7) & 0x40) != 0;
        putTimestamp(b, p + 9, pts);
        if (dts && p + 19 <= at + TsPacket.SIZE) {
            putTimestamp(b, p + 14, pts);
        }
        return true;
    }

    /** Writes a 5-byte PTS/DTS field, keeping its 4-bit prefix ('0010', '0011' or '0001'). */
    private static void putTimestamp(ByteBuffer b, int p, long value) {
        long v = Math.floorMod(value, PTS_WRAP);
        int prefix = b.get(p) & 0xf0;
        b.put(p, (byte) (prefix | ((v >>> 29) & 0x0e) | 1));
        b.put(p + 1, (byte) (v >>> 22));
        b.put(p + 2, (byte) (((v >>> 14) & 0xfe) | 1));
        b.put(p + 3, (byte) (v >>> 7));
        b.put(p + 4, (byte) (((v << 1) & 0xfe) | 1));
    }

    /**
     * Writes at {@code at} a packet of {@code pid} with an adaptation field only (no payload: its continuity counter
     * repeats the PID's last one) carrying {@code pcr}, stuffed with 0xFF.
     */
    public static void putPcrPacket(ByteBuffer b, int at, int pid, int cc, long pcr) {
        b.put(at, TsPacket.SYNC);
        b.put(at + 1, (byte) ((pid >>> 8) & 0x1f));
        b.put(at + 2, (byte) pid);
        b.put(at + 3, (byte) (0x20 | (cc & 0x0f)));
        b.put(at + 4, (byte) 183);
        b.put(at + 5, (byte) 0x10);
        putPcr(b, at + 6, pcr);
        for (int i = at + 12; i < at + TsPacket.SIZE; i++) {
            b.put(i, (byte) 0xff);
        }
    }

    /** CRC-32 of PSI sections (ISO 13818-1 annex A: polynomial 0x04C11DB7, MSB first, initial all ones). */
    public static int psiCrc32(byte[] data, int from, int length) {
        int crc = 0xffffffff;
        for (int i = from; i < from + length; i++) {
            crc ^= (data[i] & 0xff) << 24;
            for (int bit = 0; bit < 8; bit++) {
                crc = crc < 0 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
            }
        }
        return crc;
    }
}
