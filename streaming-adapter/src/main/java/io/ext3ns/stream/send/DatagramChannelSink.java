package io.ext3ns.stream.send;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * UDP unicast through JDK channels: one connected, non-blocking {@link DatagramChannel} per client for RTP (the JDK
 * gathers only on connected channels) and, with RTCP, an {@link RtcpPort} on the port after it (the pair RTSP's
 * server_port advertises), where Receiver Reports arrive. Subclasses decide how one packet
 * is written; this class handles congestion and errors the same way for both.
 */
abstract class DatagramChannelSink implements RtpSink {
    private static final int SEND_BUFFER = 1 << 20;

    protected final DatagramChannel rtp;
    private final RtcpPort rtcp;
    private final InetSocketAddress rtcpDestination;
    private final InetSocketAddress destination;
    private final SendStats stats = new SendStats();

    /**
     * @param rtpDestination  client RTP address
     * @param rtcpDestination client RTCP address, or null to send no RTCP
     */
    DatagramChannelSink(InetSocketAddress rtpDestination, InetSocketAddress rtcpDestination) throws IOException {
        this.destination = rtpDestination;
        this.rtcpDestination = rtcpDestination;
        if (rtcpDestination == null) {
            this.rtp = open(rtpDestination);
            this.rtcp = null;
        } else {
            RtcpPort.Pair<DatagramChannel> pair = RtcpPort.pair(() -> open(rtpDestination),
                    ch -> ((InetSocketAddress) ch.getLocalAddress()).getPort());
            this.rtp = pair.rtp();
            this.rtcp = pair.rtcp();
        }
    }

    private static DatagramChannel open(InetSocketAddress to) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
            ch.bind(null);
            ch.connect(to);
            ch.configureBlocking(false);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Writes packet {@code p} of the burst as one datagram; returns bytes written, 0 when the socket is full. */
    protected abstract int writePacket(PacketBurst burst, int p) throws IOException;

    @Override
    public final void send(PacketBurst burst) {
        while (burst.pending() > 0) {
            int p = burst.sent();
            try {
                stats.syscalls.increment();
                if (writePacket(burst, p) == 0) {
                    stats.retries.increment();
                    return;
                }
                stats.packets.increment();
                stats.payloadBytes.add(burst.payloadBytes(p));
            } catch (IOException e) {
                if (isTransient(e)) {
                    stats.retries.increment();
                    return;
                }
                countDropped(e);
            }
            burst.markSent(1);
        }
    }

    /** ENOBUFS is the kernel asking us to slow down; anything else (e.g. ICMP port unreachable) is final. */
    private static boolean isTransient(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("No buffer space");
    }

    private void countDropped(IOException e) {
        stats.packetDropped(destination, e.toString());
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
        return ((InetSocketAddress) rtp.getLocalAddress()).getPort();
    }

    @Override
    public String describe() {
        return getClass().getSimpleName() + " to " + destination;
    }

    @Override
    public void close() throws IOException {
        try {
            rtp.close();
        } finally {
            if (rtcp != null) {
                rtcp.close();
            }
        }
    }
}
