package io.ext3ns.stream.rtsp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RTP/AVP over UDP unicast: a pair of sockets on consecutive server ports (RTP even, RTCP odd, as RFC 3550 11
 * asks), each connected to the client's port so that a packet is one gathering {@code sendmsg} of [header, payload
 * slices] straight from the shared chunk buffers, and a vanished client shows up as PortUnreachableException.
 * Non-blocking: a full socket buffer drops the packet (counted by the caller) instead of stalling the pacer.
 */
public final class UdpRtpSink implements RtpSink {
    private static final int PORT_PAIR_ATTEMPTS = 64;

    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final ByteBuffer reportScratch = ByteBuffer.allocate(1500);

    private UdpRtpSink(DatagramChannel rtp, DatagramChannel rtcp) {
        this.rtp = rtp;
        this.rtcp = rtcp;
    }

    /** Opens a port pair on {@code local} connected to the client's RTP and RTCP ports. */
    public static UdpRtpSink open(InetAddress local, InetSocketAddress clientRtp, InetSocketAddress clientRtcp)
            throws IOException {
        for (int attempt = 0; attempt < PORT_PAIR_ATTEMPTS; attempt++) {
            int even = 20000 + 2 * ThreadLocalRandom.current().nextInt(20000);
            DatagramChannel a = null;
            DatagramChannel b = null;
            try {
                a = bind(local, even);
                b = bind(local, even + 1);
                a.connect(clientRtp);
                b.connect(clientRtcp);
                return new UdpRtpSink(a, b);
            } catch (java.net.BindException taken) {
                closeQuietly(a);
                closeQuietly(b);
            } catch (IOException | RuntimeException e) {
                closeQuietly(a);
                closeQuietly(b);
                throw e;
            }
        }
        throw new IOException("no free consecutive UDP port pair after " + PORT_PAIR_ATTEMPTS + " attempts");
    }

    private static DatagramChannel bind(InetAddress local, int port) throws IOException {
        DatagramChannel ch = DatagramChannel.open(local instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.bind(new InetSocketAddress(local, port));
            ch.configureBlocking(false);
            return ch;
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    private static void closeQuietly(DatagramChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing: the bind or connect error is what we report
            }
        }
    }

    public int rtpPort() {
        return rtp.socket().getLocalPort();
    }

    public int rtcpPort() {
        return rtcp.socket().getLocalPort();
    }

    @Override
    public boolean sendRtp(ByteBuffer[] parts, int count) throws IOException {
        return rtp.write(parts, 0, count) > 0;
    }

    @Override
    public void sendRtcp(ByteBuffer packet) throws IOException {
        rtcp.write(packet);
    }

    @Override
    public boolean pollClientReports() throws IOException {
        boolean any = false;
        for (int i = 0; i < 16; i++) {
            reportScratch.clear();
            try {
                if (rtcp.receive(reportScratch) == null) {
                    break;
                }
            } catch (java.net.PortUnreachableException e) {
                break; // an earlier report of ours bounced: the RTP send will notice too
            }
            any = true;
        }
        return any;
    }

    @Override
    public String path() {
        return "udp-sendmsg-gather";
    }

    @Override
    public void close() throws IOException {
        try {
            rtp.close();
        } finally {
            rtcp.close();
        }
    }
}
