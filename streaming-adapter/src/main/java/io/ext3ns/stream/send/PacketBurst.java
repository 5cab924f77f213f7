package io.ext3ns.stream.send;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.stream.feed.Payload;
import io.ext3ns.stream.nativeio.NativeCalls;
import io.ext3ns.fs.cache.UnitRef;
import io.ext3ns.stream.rtp.RtpHeader;
import java.nio.ByteBuffer;

/**
 * RTP packets of one session ready to send in one go: 12-byte headers in a direct buffer and payload segments
 * pointing into pinned units (or heap arrays on the legacy path). The burst pins every unit it points into until
 * {@link #clear()} ({@link UnitRef#pin()}: no object per packet), so memory stays valid however long a sink takes.
 * Reused for the session's life: adding and clearing packets allocates nothing. Sinks consume packets from
 * {@link #sent()} on and record progress with {@link #markSent(int)}; packets a congested sink could not take stay
 * for the next attempt.
 */
public final class PacketBurst {
    /** At most this many packets per burst (UDP GSO accepts 64 segments; 1328-byte packets fit 49 in 64 KiB). */
    public static final int MAX_PACKETS = Payload.MAX_PER_BURST;
    private static final int SEGMENTS_PER_PACKET = 2;

    private final ByteBuffer headers = AlignedBuffers.allocate(MAX_PACKETS * RtpHeader.SIZE, 64);
    /** Native address of {@link #headers}, for senders that build iovecs (0 without libc). */
    private final long headersAddress = NativeCalls.available() ? NativeCalls.address(headers) : 0;
    private final ByteBuffer[] segMemory = new ByteBuffer[MAX_PACKETS * SEGMENTS_PER_PACKET];
    private final long[] segAddress = new long[MAX_PACKETS * SEGMENTS_PER_PACKET];
    private final int[] segOffset = new int[MAX_PACKETS * SEGMENTS_PER_PACKET];
    private final int[] segLength = new int[MAX_PACKETS * SEGMENTS_PER_PACKET];
    private final int[] segCount = new int[MAX_PACKETS];
    private final int[] payloadBytes = new int[MAX_PACKETS];
    /** Leases pinned by this burst (each once): a burst of 64 packets spans at most two units of >= 128 KiB. */
    private final UnitRef[] pinned = new UnitRef[MAX_PACKETS * SEGMENTS_PER_PACKET];
    private int pinnedCount;
    private int count;
    private int sent;

    /** Appends a packet: header from the arguments, payload from {@code payload}'s segments. */
    public void add(int sequence, int rtpTimestamp, int ssrc, Payload payload) {
        if (count == MAX_PACKETS) {
            throw new IllegalStateException("burst is full");
        }
        if (payload.segments() < 1 || payload.segments() > SEGMENTS_PER_PACKET) {
            throw new IllegalArgumentException("payload has " + payload.segments() + " segments");
        }
        RtpHeader.write(headers, count * RtpHeader.SIZE, RtpHeader.PT_MP2T, false, sequence, rtpTimestamp, ssrc);
        int bytes = 0;
        for (int s = 0; s < payload.segments(); s++) {
            int i = count * SEGMENTS_PER_PACKET + s;
            segMemory[i] = payload.memory(s);
            segAddress[i] = payload.address(s);
            segOffset[i] = payload.offset(s);
            segLength[i] = payload.length(s);
            bytes += segLength[i];
            holdUnit(payload.owner(s));
        }
        segCount[count] = payload.segments();
        payloadBytes[count] = bytes;
        count++;
    }

    private void holdUnit(UnitRef unit) {
        if (unit == null) {
            return;
        }
        for (int i = pinnedCount - 1; i >= 0; i--) {
            if (pinned[i] == unit) {
                return;
            }
        }
        unit.pin();
        pinned[pinnedCount++] = unit;
    }

    public int count() {
        return count;
    }

    /** Packets already taken by a sink. */
    public int sent() {
        return sent;
    }

    public int pending() {
        return count - sent;
    }

    /** Records that a sink took {@code packets} more packets. */
    public void markSent(int packets) {
        if (packets < 0 || sent + packets > count) {
            throw new IllegalArgumentException("marking " + packets + " sent with " + pending() + " pending");
        }
        sent += packets;
    }

    /** Direct buffer holding every header; packet {@code p}'s header is at {@code p * 12}. */
    public ByteBuffer headers() {
        return headers;
    }

    /** Native address of {@link #headers()}'s first byte (0 where libc is not available). */
    public long headersAddress() {
        return headersAddress;
    }

    public int segments(int packet) {
        return segCount[packet];
    }

    public ByteBuffer segmentMemory(int packet, int segment) {
        return segMemory[packet * SEGMENTS_PER_PACKET + segment];
    }

    /** Native address of the segment's first byte; 0 when the payload is in heap memory. */
    public long segmentAddress(int packet, int segment) {
        return segAddress[packet * SEGMENTS_PER_PACKET + segment];
    }

    public int segmentOffset(int packet, int segment) {
        return segOffset[packet * SEGMENTS_PER_PACKET + segment];
    }

    public int segmentLength(int packet, int segment) {
        return segLength[packet * SEGMENTS_PER_PACKET + segment];
    }

    public int payloadBytes(int packet) {
        return payloadBytes[packet];
    }

    /** Header plus payload. */
    public int packetBytes(int packet) {
        return RtpHeader.SIZE + payloadBytes[packet];
    }

    /** How many distinct unit leases this burst has pinned. */
    public int pinnedUnits() {
        return pinnedCount;
    }

    /** Lease {@code i} of those this burst pinned (a sink keeping packets past the call pins it too). */
    public UnitRef pinnedUnit(int i) {
        if (i < 0 || i >= pinnedCount) {
            throw new IndexOutOfBoundsException(i);
        }
        return pinned[i];
    }

    /** Drops all packets and unpins the units. */
    public void clear() {
        for (int i = 0; i < pinnedCount; i++) {
            pinned[i].unpin();
            pinned[i] = null;
        }
        pinnedCount = 0;
        java.util.Arrays.fill(segMemory, 0, count * SEGMENTS_PER_PACKET, null);
        count = 0;
        sent = 0;
    }
}
