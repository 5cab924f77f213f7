package io.ext3ns.stream.send;

import io.ext3ns.stream.rtp.RtpHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Fast-path sink (the paper's Algorithm 2): each packet is one gathering write — sendmsg with an iovec of
 * [12-byte header, payload slice(s) of the pinned unit] — so the payload is never copied in user space.
 */
public final class GatheringUdpSink extends DatagramChannelSink {
    private final ByteBuffer[] iov = new ByteBuffer[3];

    public GatheringUdpSink(InetSocketAddress rtpDestination, InetSocketAddress rtcpDestination,
                            InetSocketAddress localRtp) throws IOException {
        super(rtpDestination, rtcpDestination, localRtp);
    }

    @Override
    protected int writePacket(PacketBurst burst, int p) throws IOException {
        int segments = burst.segments(p);
        iov[0] = burst.headers().slice(p * RtpHeader.SIZE, RtpHeader.SIZE);
        for (int s = 0; s < segments; s++) {
            iov[1 + s] = burst.segmentMemory(p, s).slice(burst.segmentOffset(p, s), burst.segmentLength(p, s));
        }
        long n = rtp.write(iov, 0, 1 + segments);
        return (int) n;
    }
}
