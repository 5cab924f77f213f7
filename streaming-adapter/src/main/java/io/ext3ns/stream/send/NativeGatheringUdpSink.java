package io.ext3ns.stream.send;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.stream.nativeio.Linux;
import io.ext3ns.stream.nativeio.NativeCalls;
import io.ext3ns.stream.nativeio.NativeUdpSocket;
import io.ext3ns.stream.rtp.RtpHeader;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fast path (the paper's Algorithm 2) without a JDK channel in between: a connected native UDP socket per
 * client and one sendmsg per packet with the iovec [12-byte header, payload slice(s) of the pinned unit]. The same
 * system call and the same zero user-space payload copies as {@link GatheringUdpSink}, without the channel's
 * per-call locks, begin/end bookkeeping, iovec wrapper and buffer views: the msghdr and iovec are built in place in
 * a native arena, so a packet costs one JNI-level call and allocates nothing. IPv4 only ({@link #supports}); the
 * engine uses {@link GatheringUdpSink} otherwise.
 */
public final class NativeGatheringUdpSink implements RtpSink {
    private static final int SEND_BUFFER = 1 << 20;
    private static final int MAX_IOV = 3;
    private static final int RTCP_BYTES = 1024;

    private final NativeUdpSocket rtp;
    private final RtcpPort rtcp;
    private final InetSocketAddress rtcpDestination;
    private final InetSocketAddress destination;
    private final ByteBuffer arena;
    private final long base;
    private final int iovAt;
    private final int rtcpAt;
    private final SendStats stats = new SendStats();

    /** True when this sink can serve the destinations (IPv4, libc bound). */
    public static boolean supports(InetSocketAddress rtpDestination, InetSocketAddress rtcpDestination) {
        return NativeCalls.available() && rtpDestination.getAddress() instanceof Inet4Address
                && (rtcpDestination == null || rtcpDestination.getAddress() instanceof Inet4Address);
    }

    /** @param rtcpDestination the client's RTCP address, or null to send no RTCP */
    public NativeGatheringUdpSink(InetSocketAddress rtpDestination, InetSocketAddress rtcpDestination)
            throws IOException {
        this.destination = rtpDestination;
        this.rtcpDestination = rtcpDestination;
        if (rtcpDestination == null) {
            this.rtp = open(rtpDestination);
            this.rtcp = null;
        } else { // RTP on an even port, RTCP (sent and received) on the next
            RtcpPort.Pair<NativeUdpSocket> pair = RtcpPort.pair(() -> open(rtpDestination), NativeUdpSocket::localPort);
            this.rtp = pair.rtp();
            this.rtcp = pair.rtcp();
        }
        iovAt = Linux.MMSGHDR_SIZE;
        rtcpAt = iovAt + MAX_IOV * Linux.IOVEC_SIZE;
        arena = AlignedBuffers.allocate(rtcpAt + RTCP_BYTES, 64).order(ByteOrder.nativeOrder());
        base = NativeCalls.address(arena);
        arena.putLong(Linux.MSGHDR_NAME, 0); // connected: no address per packet
        arena.putLong(Linux.MSGHDR_NAMELEN, 0);
        arena.putLong(Linux.MSGHDR_IOV, base + iovAt);
        arena.putLong(Linux.MSGHDR_CONTROL, 0);
        arena.putLong(Linux.MSGHDR_CONTROLLEN, 0);
        arena.putInt(Linux.MSGHDR_FLAGS, 0);
    }

    private static NativeUdpSocket open(InetSocketAddress to) throws IOException {
        NativeUdpSocket s = new NativeUdpSocket(null, SEND_BUFFER);
        try {
            s.connect(to);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public void send(PacketBurst burst) {
        while (burst.pending() > 0) {
            int p = burst.sent();
            int segments = burst.segments(p);
            putIov(0, burst.headersAddress() + (long) p * RtpHeader.SIZE, RtpHeader.SIZE);
            for (int s = 0; s < segments; s++) {
                long address = burst.segmentAddress(p, s);
                if (address == 0) {
                    throw new IllegalArgumentException("the fast path needs payloads in pinned units, not heap arrays");
                }
                putIov(1 + s, address, burst.segmentLength(p, s));
            }
            arena.putLong(Linux.MSGHDR_IOVLEN, 1 + segments);
            stats.syscalls.increment();
            long r = rtp.sendmsg(base);
            if (r >= 0) {
                stats.packets.increment();
                stats.payloadBytes.add(burst.payloadBytes(p));
            } else if (r == -Linux.EAGAIN || r == -Linux.ENOBUFS || r == -Linux.EINTR) {
                stats.retries.increment(); // congested: the session tries again shortly
                return;
            } else {
                countDropped((int) -r);
            }
            burst.markSent(1);
        }
    }

    private void putIov(int i, long address, int length) {
        int at = iovAt + i * Linux.IOVEC_SIZE;
        arena.putLong(at, address);
        arena.putLong(at + 8, length);
    }

    /** Anything but congestion (e.g. ECONNREFUSED after an ICMP port unreachable) is final for that packet. */
    private void countDropped(int errno) {
        stats.packetDropped(destination, NativeCalls.describe(errno));
    }

    @Override
    public boolean sendRtcp(ByteBuffer packet) {
        if (rtcp == null) {
            return true;
        }
        if (!rtcp.send(packet, rtcpDestination)) {
            stats.dropped.increment();
            return false;
        }
        return true;
    }

    @Override
    public RtcpPort rtcpPort() {
        return rtcp;
    }

    @Override
    public SendStats stats() {
        return stats;
    }

    @Override
    public int localPort() throws IOException {
        return rtp.localPort();
    }

    @Override
    public String describe() {
        return "native gathering UDP to " + destination;
    }

    @Override
    public void close() {
        rtp.close();
        if (rtcp != null) {
            try {
                rtcp.close();
            } catch (IOException ignored) {
                // closing a datagram channel: nothing to lose
            }
        }
    }
}
