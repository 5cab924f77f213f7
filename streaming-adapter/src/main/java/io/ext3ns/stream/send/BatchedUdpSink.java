package io.ext3ns.stream.send;

import io.ext3ns.stream.nativeio.Linux;
import io.ext3ns.stream.nativeio.NativeUdpSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * One client's destination on a scheduler thread's {@link BatchedUdpSender}: bursts are queued and leave with the
 * thread's next sendmmsg. Must be used only on that sender's scheduler thread.
 */
public final class BatchedUdpSink implements RtpSink {
    private final BatchedUdpSender sender;
    private final InetSocketAddress rtpDestination;
    private final ByteBuffer rtpName = ByteBuffer.allocate(Linux.SOCKADDR_IN_SIZE);
    private final InetSocketAddress rtcpDestination;
    private final SendStats stats = new SendStats();

    /** @param rtcpDestination null to send no RTCP */
    public BatchedUdpSink(BatchedUdpSender sender, InetSocketAddress rtpDestination,
                          InetSocketAddress rtcpDestination) {
        this.sender = sender;
        this.rtpDestination = rtpDestination;
        NativeUdpSocket.writeSockaddr(rtpName, 0, rtpDestination);
        this.rtcpDestination = rtcpDestination;
    }

    @Override
    public void send(PacketBurst burst) {
        int before = burst.sent();
        sender.enqueue(rtpName, burst, stats);
        if (burst.pending() > 0 && burst.sent() == before) {
            stats.retries.increment();
        }
    }

    /**
     * Sends RTCP at once from the sender's RTCP port (server_port + 1), after flushing the RTP the sender has
     * queued: a report must not overtake the packets it counts.
     */
    @Override
    public boolean sendRtcp(ByteBuffer rtcp) {
        if (rtcpDestination == null) {
            return true;
        }
        if (!sender.flush()) {
            stats.retries.increment(); // socket full: the RTCP goes first, the queued RTP right after
        }
        if (!sender.rtcpPort().send(rtcp, rtcpDestination)) {
            stats.dropped.increment();
            return false;
        }
        return true;
    }

    /** The scheduler thread's RTCP port, shared by its sessions; null when this sink sends no RTCP. */
    @Override
    public RtcpPort rtcpPort() {
        return rtcpDestination == null ? null : sender.rtcpPort();
    }

    /** The scheduler thread's shared socket: every batched session on that thread sends from this port. */
    @Override
    public int localPort() throws java.io.IOException {
        return sender.localPort();
    }

    @Override
    public SendStats stats() {
        return stats;
    }

    @Override
    public String describe() {
        return "batched UDP to " + rtpDestination + (sender.gsoActive() ? " (GSO)" : "");
    }

    /** The shared socket belongs to the scheduler thread; nothing to close per client. */
    @Override
    public void close() {
    }
}
