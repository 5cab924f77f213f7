package io.ext3ns.stream.send;

import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The RTCP half of a UDP port pair (RFC 3550 11: RTP on an even port, RTCP on the next one; RTSP's Transport
 * advertises them as server_port=P-P+1): a non-blocking, unconnected channel bound to P+1 on every address (IPv4 and
 * IPv6), from which the Sender Reports and the BYE leave and on which the clients' Receiver Reports arrive. The
 * server reads it ({@link #channel()}, registered with its event loop); sends go out from the scheduler thread
 * (a DatagramChannel may be read and written by two threads at once).
 */
public final class RtcpPort implements Closeable {
    /** Tries to find an even port whose successor is free before giving up. */
    static final int ATTEMPTS = 64;
    private static final int SEND_BUFFER = 256 * 1024;

    private final DatagramChannel channel;

    private RtcpPort(DatagramChannel channel) {
        this.channel = channel;
    }

    /** Opens an RTP socket of the caller's kind on an ephemeral port; {@link #pair} retries until it fits. */
    interface RtpOpener<T extends Closeable> {
        T open() throws IOException;
    }

    /** Local port of an RTP socket opened by an {@link RtpOpener}. */
    interface PortOf<T> {
        int port(T socket) throws IOException;
    }

    /** An RTP socket and its RTCP port on the port after it. */
    record Pair<T>(T rtp, RtcpPort rtcp) {
    }

    /**
     * Opens RTP sockets with {@code opener} until one has an even port P with P+1 free for RTCP (the kernel picks
     * ephemeral ports at random, so a few tries suffice); the sockets tried on the way are closed.
     */
    static <T extends Closeable> Pair<T> pair(RtpOpener<T> opener, PortOf<T> portOf) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            T rtp = opener.open();
            try {
                int port = portOf.port(rtp);
                if (port % 2 == 0 && port < 65535) {
                    RtcpPort rtcp = bind(port + 1);
                    if (rtcp != null) {
                        return new Pair<>(rtp, rtcp);
                    }
                }
            } catch (IOException | RuntimeException e) {
                rtp.close();
                throw e;
            }
            rtp.close();
        }
        throw new IOException("no free RTP/RTCP port pair after " + ATTEMPTS + " attempts");
    }

    /** The RTCP port at {@code port} (a configured server_port + 1); fails if it is taken. */
    static RtcpPort bindAt(int port) throws IOException {
        RtcpPort p = bind(port);
        if (p == null) {
            throw new BindException("RTCP port " + port + " is in use");
        }
        return p;
    }

    /** Binds {@code port} on every address; null when it is taken. */
    private static RtcpPort bind(int port) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER);
            ch.bind(new InetSocketAddress(port));
            ch.configureBlocking(false);
            return new RtcpPort(ch);
        } catch (BindException e) {
            ch.close();
            return null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The channel, for the server's event loop to read Receiver Reports from. */
    public DatagramChannel channel() {
        return channel;
    }

    public int port() throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** Sends one RTCP packet to {@code destination}; false if it was not sent (socket full, or closed). */
    boolean send(ByteBuffer packet, InetSocketAddress destination) {
        try {
            return channel.send(packet, destination) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
