package io.ext3ns.fs.disk;

/**
 * A one-block allocation bitmap (bit i of byte i/8 = item i, LSB first, as ext2 stores them). Bits past the group's
 * item count up to the end of the block are padding and must stay set.
 */
public final class Bitmap {
    private final byte[] bits;

    public Bitmap(byte[] bits) {
        this.bits = bits;
    }

    public byte[] bytes() {
        return bits;
    }

    public int capacity() {
        return bits.length * 8;
    }

    public boolean get(int i) {
        return (bits[i >>> 3] & (1 << (i & 7))) != 0;
    }

    public void set(int i) {
        bits[i >>> 3] |= (byte) (1 << (i & 7));
    }

    public void clear(int i) {
        bits[i >>> 3] &= (byte) ~(1 << (i & 7));
    }

    /** Clears bit i and says whether it was set (freeing an already free item is corruption). */
    public boolean testAndClear(int i) {
        boolean was = get(i);
        clear(i);
        return was;
    }

    /** Sets bits [from, capacity) — the padding past a group's last item. */
    public void setPadding(int from) {
        for (int i = from; i < capacity() && (i & 7) != 0; i++) {
            set(i);
        }
        for (int byteIdx = (from + 7) >>> 3; byteIdx < bits.length; byteIdx++) {
            bits[byteIdx] = (byte) 0xFF;
        }
    }

    /** First clear bit in [from, limit), or -1. Skips full bytes eight bits at a time. */
    public int nextClear(int from, int limit) {
        int i = from;
        while (i < limit) {
            if ((i & 7) == 0 && bits[i >>> 3] == (byte) 0xFF) {
                i += 8;
                continue;
            }
            if (!get(i)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    /** First set bit in [from, limit), or -1. */
    public int nextSet(int from, int limit) {
        int i = from;
        while (i < limit) {
            if ((i & 7) == 0 && bits[i >>> 3] == 0) {
                i += 8;
                continue;
            }
            if (get(i)) {
                return i;
            }
            i++;
        }
        return -1;
    }

    /** Number of set bits in [0, limit). */
    public int countSet(int limit) {
        int n = 0;
        int full = limit >>> 3;
        for (int i = 0; i < full; i++) {
            n += Integer.bitCount(bits[i] & 0xFF);
        }
        for (int i = full << 3; i < limit; i++) {
            if (get(i)) {
                n++;
            }
        }
        return n;
    }

    /** True when every bit in [from, capacity) is set. */
    public boolean paddingIsSet(int from) {
        return nextClear(from, capacity()) < 0;
    }
}
