package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.server.Connection;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * RTP/AVP/TCP: packets framed as '$', channel, 16-bit length (RFC 2326 10.12) on the client's RTSP connection. The
 * connection's queue is bounded, so a client that reads too slowly loses its own packets, nobody else's time.
 */
public final class InterleavedRtpSink implements RtpSink {
    private final Connection connection;
    private final int rtpChannel;
    private final int rtcpChannel;
    private final ByteBuffer frameHeader = ByteBuffer.allocate(4);
    private final ByteBuffer[] frame = new ByteBuffer[8];

    public InterleavedRtpSink(Connection connection, int rtpChannel, int rtcpChannel) {
        this.connection = connection;
        this.rtpChannel = rtpChannel;
        this.rtcpChannel = rtcpChannel;
    }

    @Override
    public boolean sendRtp(ByteBuffer[] parts, int count) throws IOException {
        return sendFramed(rtpChannel, parts, count);
    }

    @Override
    public void sendRtcp(ByteBuffer packet) throws IOException {
        sendFramed(rtcpChannel, new ByteBuffer[]{packet}, 1);
    }

    private boolean sendFramed(int channel, ByteBuffer[] parts, int count) throws IOException {
        if (count + 1 > frame.length) {
            throw new IllegalArgumentException("too many parts: " + count);
        }
        int length = 0;
        for (int i = 0; i < count; i++) {
            length += parts[i].remaining();
        }
        frameHeader.clear();
        frameHeader.put((byte) '$').put((byte) channel).putShort((short) length).flip();
        frame[0] = frameHeader;
        System.arraycopy(parts, 0, frame, 1, count);
        return connection.sendFrame(java.util.Arrays.copyOf(frame, count + 1));
    }

    @Override
    public boolean pollClientReports() {
        return false; // reports arrive on the connection, which keeps the session alive by itself
    }

    @Override
    public String path() {
        return "tcp-interleaved";
    }

    @Override
    public void close() {
        // the connection belongs to the RTSP handler
    }
}
