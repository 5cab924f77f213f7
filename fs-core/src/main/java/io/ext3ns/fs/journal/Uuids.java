package io.ext3ns.fs.journal;

import java.util.UUID;

/** A UUID as 16 raw bytes (the order ext3 and JBD2 store it, identical to UUID's most-significant-first form). */
final class Uuids {
    static final int SIZE = 16;

    private Uuids() {
    }

    static UUID get(byte[] b, int off) {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (b[off + i] & 0xFF);
            lo = lo << 8 | (b[off + 8 + i] & 0xFF);
        }
        return new UUID(hi, lo);
    }

    static void put(byte[] b, int off, UUID u) {
        BigEndian.put64(b, off, u.getMostSignificantBits());
        BigEndian.put64(b, off + 8, u.getLeastSignificantBits());
    }
}
