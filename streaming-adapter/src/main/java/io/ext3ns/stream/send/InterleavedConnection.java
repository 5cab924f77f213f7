package io.ext3ns.stream.send;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;

/**
 * The RTSP control connection as a carrier of interleaved RTP/RTCP (RFC 2326 §10.12: '$', channel, 16-bit length,
 * packet). Every writer — RTSP responses and the sessions' {@link TcpInterleavedSink}s — goes through this object,
 * which keeps frames whole: when a non-blocking write takes only part of a frame, the rest is kept (at most one
 * frame) and goes out before anything else; meanwhile new RTP frames are refused ("congested") rather than
 * blocking the scheduler thread. A slow client therefore slows only its own sessions.
 */
public final class InterleavedConnection {
    public static final int FRAME_HEADER = 4;
    private static final int MAX_FRAME = FRAME_HEADER + 0xffff;

    private final GatheringByteChannel channel;
    private final ByteBuffer rest = ByteBuffer.allocateDirect(MAX_FRAME).flip();
    private final ByteBuffer[] one = new ByteBuffer[1];

    /** @param channel the connection, normally a non-blocking {@link java.nio.channels.SocketChannel} */
    public InterleavedConnection(GatheringByteChannel channel) {
        this.channel = channel;
    }

    /**
     * Writes one whole frame gathered from {@code parts} (the first of which starts with the 4-byte frame header).
     * Returns false, writing nothing, when an earlier frame's rest is still pending after a flush attempt.
     */
    public synchronized boolean writeFrame(ByteBuffer[] parts, int count) throws IOException {
        if (!flushRest()) {
            return false;
        }
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += parts[i].remaining();
        }
        long written = channel.write(parts, 0, count);
        if (written < total) {
            rest.clear();
            for (int i = 0; i < count; i++) {
                rest.put(parts[i]); // copies only the unwritten tail (a congested client)
            }
            rest.flip();
        }
        return true;
    }

    /** Writes control bytes (an RTSP response) between frames; false, writing nothing, while a frame rest is pending. */
    public synchronized boolean writeControl(ByteBuffer bytes) throws IOException {
        if (bytes.remaining() > MAX_FRAME) {
            throw new IllegalArgumentException("control message larger than " + MAX_FRAME + " bytes");
        }
        one[0] = bytes;
        return writeFrame(one, 1);
    }

    /** Tries to send the rest of a partly written frame; true when nothing is pending any more. */
    public synchronized boolean flushRest() throws IOException {
        if (rest.hasRemaining()) {
            channel.write(rest);
        }
        return !rest.hasRemaining();
    }

    /** Writes the 4-byte interleaved frame header for {@code channelId} and {@code length} at {@code index}. */
    public static void frameHeader(ByteBuffer dst, int index, int channelId, int length) {
        if (channelId < 0 || channelId > 255 || length < 0 || length > 0xffff) {
            throw new IllegalArgumentException("bad interleaved frame: channel " + channelId + ", " + length + " B");
        }
        dst.put(index, (byte) '$');
        dst.put(index + 1, (byte) channelId);
        dst.putShort(index + 2, (short) length);
    }
}
