package io.ext3ns.bench.shooter;

import java.nio.ByteBuffer;

/**
 * Cuts a received datagram back into the RTP packets the server sent. With UDP GRO a GSO burst arrives as one
 * datagram of segments of the size the kernel reports (every segment that size, the last possibly shorter: the
 * sender's GSO contract, so a packet boundary is never guessed); without GRO, or for a datagram without the size,
 * the datagram is one packet.
 */
final class GroSegments {
    /** Receives each packet cut out of a datagram. */
    interface PacketListener {
        void onPacket(ByteBuffer data, int offset, int length, long arrivalNanos);
    }

    private GroSegments() {
    }

    /** Calls {@code listener} for each packet of the datagram at [offset, offset + length); returns how many. */
    static int split(ByteBuffer data, int offset, int length, int segmentSize, long arrivalNanos,
                     PacketListener listener) {
        if (length <= 0) {
            return 0;
        }
        int step = segmentSize > 0 ? segmentSize : length;
        int packets = 0;
        for (int at = 0; at < length; at += step) {
            listener.onPacket(data, offset + at, Math.min(step, length - at), arrivalNanos);
            packets++;
        }
        return packets;
    }
}
