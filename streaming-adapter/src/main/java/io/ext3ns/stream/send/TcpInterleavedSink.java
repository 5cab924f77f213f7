package io.ext3ns.stream.send;

import io.ext3ns.stream.rtp.RtpHeader;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * RTP over the RTSP connection (RTP/AVP/TCP;interleaved=rtp-rtcp): each packet is one gathering write of
 * ['$' channel length + 12-byte header, payload slice(s)], so the payload is not copied unless the client is slow.
 */
public final class TcpInterleavedSink implements RtpSink {
    private final InterleavedConnection connection;
    private final int rtpChannel;
    private final int rtcpChannel;
    private final ByteBuffer prefix = ByteBuffer.allocateDirect(InterleavedConnection.FRAME_HEADER + RtpHeader.SIZE);
    private final ByteBuffer rtcpPrefix = ByteBuffer.allocateDirect(InterleavedConnection.FRAME_HEADER);
    private final ByteBuffer[] parts = new ByteBuffer[3];
    private final SendStats stats = new SendStats();

    /** @param rtcpChannel the RTCP channel (normally rtpChannel + 1), or -1 for none */
    public TcpInterleavedSink(InterleavedConnection connection, int rtpChannel, int rtcpChannel) {
        InterleavedConnection.frameHeader(prefix, 0, rtpChannel, 0); // validates the channel numbers early
        if (rtcpChannel >= 0) {
            InterleavedConnection.frameHeader(rtcpPrefix, 0, rtcpChannel, 0);
        }
        this.connection = connection;
        this.rtpChannel = rtpChannel;
        this.rtcpChannel = rtcpChannel;
    }

    @Override
    public void send(PacketBurst burst) throws IOException {
        while (burst.pending() > 0) {
            int p = burst.sent();
            InterleavedConnection.frameHeader(prefix, 0, rtpChannel, burst.packetBytes(p));
            prefix.put(InterleavedConnection.FRAME_HEADER, burst.headers(), p * RtpHeader.SIZE, RtpHeader.SIZE);
            parts[0] = prefix.clear();
            int segments = burst.segments(p);
            for (int s = 0; s < segments; s++) {
                parts[1 + s] = burst.segmentMemory(p, s).slice(burst.segmentOffset(p, s), burst.segmentLength(p, s));
            }
            stats.syscalls.increment();
            if (!connection.writeFrame(parts, 1 + segments)) {
                stats.retries.increment();
                return;
            }
            stats.packets.increment();
            stats.payloadBytes.add(burst.payloadBytes(p));
            burst.markSent(1);
        }
    }

    @Override
    public boolean sendRtcp(ByteBuffer rtcp) throws IOException {
        if (rtcpChannel < 0) {
            return true;
        }
        InterleavedConnection.frameHeader(rtcpPrefix, 0, rtcpChannel, rtcp.remaining());
        parts[0] = rtcpPrefix.clear();
        parts[1] = rtcp;
        if (!connection.writeFrame(parts, 2)) {
            stats.dropped.increment(); // a frame's rest is still waiting for the client
            return false;
        }
        return true;
    }

    @Override
    public SendStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return "TCP interleaved channel " + rtpChannel;
    }

    /** The connection belongs to the RTSP server; nothing to close per stream. */
    @Override
    public void close() {
    }
}
