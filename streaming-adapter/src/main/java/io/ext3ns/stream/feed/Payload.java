package io.ext3ns.stream.feed;

import io.ext3ns.fs.cache.UnitRef;
import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.ts.TsPacket;
import java.nio.ByteBuffer;

/**
 * One RTP payload — up to 7 whole TS packets — as it lies in memory: one segment, or two when it straddles the
 * boundary between two pinned units (then it is sent with a 3-entry iovec rather than copied). A reusable view the
 * feed fills; valid until the feed advances past it.
 */
public final class Payload {
    public static final int TS_PER_RTP = 7;
    public static final int MAX_BYTES = TS_PER_RTP * TsPacket.SIZE;
    /** At most this many payloads go out in one burst (the send package's PacketBurst holds that many). */
    public static final int MAX_PER_BURST = 64;
    static final int MAX_SEGMENTS = 2;

    final ByteBuffer[] memory = new ByteBuffer[MAX_SEGMENTS];
    final long[] address = new long[MAX_SEGMENTS];
    final int[] offset = new int[MAX_SEGMENTS];
    final int[] length = new int[MAX_SEGMENTS];
    final UnitRef[] owner = new UnitRef[MAX_SEGMENTS];
    int segments;
    long fileOffset;
    private final ByteBuffer straddleScratch = ByteBuffer.allocate(TsPacket.SIZE);
    private int tsIndex;

    void clear(long fileOffset) {
        this.fileOffset = fileOffset;
        segments = 0;
    }

    void addSegment(ByteBuffer mem, long addr, int off, int len, UnitRef unit) {
        memory[segments] = mem;
        address[segments] = addr;
        offset[segments] = off;
        length[segments] = len;
        owner[segments] = unit;
        segments++;
    }

    public int segments() {
        return segments;
    }

    /** The memory of segment {@code i}: a direct unit buffer (fast path) or a heap buffer (legacy path). */
    public ByteBuffer memory(int i) {
        return memory[i];
    }

    /** Native address of the segment's first byte, 0 for heap memory. */
    public long address(int i) {
        return address[i] == 0 ? 0 : address[i] + offset[i];
    }

    public int offset(int i) {
        return offset[i];
    }

    public int length(int i) {
        return length[i];
    }

    /** The pinned unit segment {@code i} lies in, null for heap memory. */
    public UnitRef owner(int i) {
        return owner[i];
    }

    public int bytes() {
        int n = 0;
        for (int i = 0; i < segments; i++) {
            n += length[i];
        }
        return n;
    }

    public int tsPackets() {
        return bytes() / TsPacket.SIZE;
    }

    public long fileOffset() {
        return fileOffset;
    }

    /**
     * TS packet {@code k} of the payload for reading its fields: returns the buffer and sets {@link #tsIndex} to the
     * packet's first byte. A packet split across the two segments is copied into a scratch buffer (188 bytes, once
     * per unit boundary; the copy is for inspection only and is never sent).
     */
    public ByteBuffer tsPacket(int k) {
        int start = k * TsPacket.SIZE;
        if (start + TsPacket.SIZE <= length[0]) {
            tsIndex = offset[0] + start;
            return memory[0];
        }
        if (start >= length[0]) {
            tsIndex = offset[1] + start - length[0];
            return memory[1];
        }
        int head = length[0] - start;
        straddleScratch.clear();
        straddleScratch.put(0, memory[0], offset[0] + start, head);
        straddleScratch.put(head, memory[1], offset[1], TsPacket.SIZE - head);
        tsIndex = 0;
        return straddleScratch;
    }

    /** Throws {@link io.ext3ns.stream.ts.NotMpegTsException} unless every TS packet starts with the sync byte. */
    void checkSync() {
        int packets = tsPackets();
        for (int k = 0; k < packets; k++) {
            TsPacket.checkSync(tsPacket(k), tsIndex, fileOffset + (long) k * TsPacket.SIZE);
        }
    }

    /** Throws unless {@code offset} is a TS packet boundary inside (or at the end of) {@code source}. */
    static void checkSeekOffset(MediaSource source, long offset) {
        if (offset < 0 || offset > source.size() || offset % TsPacket.SIZE != 0) {
            throw new IllegalArgumentException("seek offset " + offset + " is not a TS packet boundary inside "
                    + source.name() + " (" + source.size() + " bytes)");
        }
    }

    /** Index of the packet's first byte in the buffer last returned by {@link #tsPacket}. */
    public int tsIndex() {
        return tsIndex;
    }
}
