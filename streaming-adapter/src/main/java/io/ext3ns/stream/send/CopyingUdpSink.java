package io.ext3ns.stream.send;

import io.ext3ns.stream.feed.Payload;
import io.ext3ns.stream.rtp.RtpHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Legacy sink (the paper's Algorithm 1): header and payload are copied into one heap packet array that is written
 * with a plain send; the JDK then copies the heap array once more into a temporary direct buffer.
 */
public final class CopyingUdpSink extends DatagramChannelSink {
    private final byte[] packet = new byte[RtpHeader.SIZE + Payload.MAX_BYTES];
    private final ByteBuffer packetBuffer = ByteBuffer.wrap(packet);

    public CopyingUdpSink(InetSocketAddress rtpDestination, InetSocketAddress rtcpDestination) throws IOException {
        super(rtpDestination, rtcpDestination);
    }

    @Override
    protected int writePacket(PacketBurst burst, int p) throws IOException {
        burst.headers().get(p * RtpHeader.SIZE, packet, 0, RtpHeader.SIZE);
        int at = RtpHeader.SIZE;
        for (int s = 0; s < burst.segments(p); s++) {
            int len = burst.segmentLength(p, s);
            burst.segmentMemory(p, s).get(burst.segmentOffset(p, s), packet, at, len);
            at += len;
        }
        packetBuffer.clear().limit(at);
        return rtp.write(packetBuffer);
    }
}
