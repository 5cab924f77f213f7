package io.ext3ns.stream.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.GatheringByteChannel;

/**
 * A {@link Connection} as the channel the streaming engine's interleaved sink writes RTP frames to
 * ({@code io.ext3ns.stream.send.InterleavedConnection}). A frame is taken whole (written, or its unwritten tail
 * queued behind the RTSP responses, in order) or not at all: when the client is congested, or while a PLAY
 * response is still to be queued ({@link #hold}), the write takes nothing and the engine retries the frame later,
 * so a stream's first packets never overtake the reply a player is waiting for.
 */
public final class FrameChannel implements GatheringByteChannel {
    private final Connection connection;
    private volatile boolean held;

    public FrameChannel(Connection connection) {
        this.connection = connection;
    }

    /** Holds frames back (true) until the caller has queued the reply they must follow (false). */
    public void hold(boolean on) {
        held = on;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (connection.isClosed()) {
            throw new ClosedChannelException();
        }
        if (held || connection.congested()) {
            return 0;
        }
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
        }
        ByteBuffer[] parts = offset == 0 && length == srcs.length ? srcs
                : java.util.Arrays.copyOfRange(srcs, offset, offset + length);
        return connection.sendFrame(parts) ? total : 0;
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[]{src}, 0, 1);
    }

    @Override
    public boolean isOpen() {
        return !connection.isClosed();
    }

    @Override
    public void close() {
        // the connection belongs to the event loop
    }
}
