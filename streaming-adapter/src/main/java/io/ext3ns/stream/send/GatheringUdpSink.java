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
    /** Views reused while packets come from the same memory (a unit holds ~800 payloads): no allocation. */
    private final ByteBuffer[] viewOf = new ByteBuffer[3];
    private final ByteBuffer[] viewed = new ByteBuffer[3];

    public GatheringUdpSink(InetSocketAddress rtpDestination, InetSocketAddress rtcpDestination)
            throws IOException {
        super(rtpDestination, rtcpDestination);
    }

    @Override
    protected int writePacket(PacketBurst burst, int p) throws IOException {
        int segments = burst.segments(p);
        iov[0] = window(0, burst.headers(), p * RtpHeader.SIZE, RtpHeader.SIZE);
        for (int s = 0; s < segments; s++) {
            iov[1 + s] = window(1 + s, burst.segmentMemory(p, s), burst.segmentOffset(p, s),
                    burst.segmentLength(p, s));
        }
        long n = rtp.write(iov, 0, 1 + segments);
        return (int) n;
    }

    /** A view of memory[offset, offset + length), reusing the slot's view when the memory is the same. */
    private ByteBuffer window(int slot, ByteBuffer memory, int offset, int length) {
        if (viewOf[slot] != memory) {
            viewOf[slot] = memory;
            viewed[slot] = memory.duplicate();
        }
        return viewed[slot].limit(offset + length).position(offset);
    }
}
