package io.ext3ns.stream.conformance;

import io.ext3ns.stream.testkit.RtspClient;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hand-driven RTSP client over UDP for the keep-alive tests: SETUP and PLAY on one control connection, a thread
 * counting the RTP packets that arrive (and when the last one did), and the RTCP Receiver Report a player sends,
 * addressed to the server_port + 1 the server advertised, from the client RTCP port it asked for.
 */
final class UdpPlayer implements Closeable {
    private static final Pattern SERVER_PORT = Pattern.compile("server_port=(\\d+)-(\\d+)");
    private static final Pattern SSRC = Pattern.compile("ssrc=([0-9A-Fa-f]+)");
    final RtspClient control;
    final String url;
    final String session;
    final InetSocketAddress serverRtcp;
    private final DatagramChannel rtp;
    private final DatagramChannel rtcp;
    private final int serverSsrc;
    private final AtomicLong packets = new AtomicLong();
    private volatile long lastPacketNanos;
    private final Thread receiver;

    UdpPlayer(String host, int port, String path) throws IOException {
        DatagramChannel[] pair = openPair(host);
        rtp = pair[0];
        rtcp = pair[1];
        control = new RtspClient(host, port);
        url = "rtsp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path;
        int rtpPort = ((InetSocketAddress) rtp.getLocalAddress()).getPort();
        RtspClient.Reply setup = control.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP;unicast;client_port=" + rtpPort + "-" + (rtpPort + 1));
        if (setup.status() != 200) {
            throw new IOException("SETUP: " + setup.status() + " " + setup.body());
        }
        session = "Session: " + setup.header("Session").split(";")[0];
        Matcher m = SERVER_PORT.matcher(setup.header("Transport"));
        Matcher s = SSRC.matcher(setup.header("Transport"));
        if (!m.find() || !s.find() || Integer.parseInt(m.group(2)) != Integer.parseInt(m.group(1)) + 1) {
            throw new IOException("no server_port pair or ssrc in " + setup.header("Transport"));
        }
        serverRtcp = new InetSocketAddress(host, Integer.parseInt(m.group(2)));
        serverSsrc = (int) Long.parseLong(s.group(1), 16);
        receiver = new Thread(this::receive, "udp-player");
        receiver.setDaemon(true);
        receiver.start();
    }

    /** RTP and RTCP sockets on ports P and P + 1 (the client_port pair), retrying until such a pair is free. */
    private static DatagramChannel[] openPair(String host) throws IOException {
        for (int i = 0; i < 50; i++) {
            DatagramChannel first = DatagramChannel.open().bind(new InetSocketAddress(host, 0));
            int port = ((InetSocketAddress) first.getLocalAddress()).getPort();
            try {
                return new DatagramChannel[]{first, DatagramChannel.open().bind(new InetSocketAddress(host, port + 1))};
            } catch (IOException e) {
                first.close();
            }
        }
        throw new IOException("no free client port pair");
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        try {
            while (rtp.receive(buf.clear()) != null) {
                packets.incrementAndGet();
                lastPacketNanos = System.nanoTime();
            }
        } catch (IOException e) {
            // closed
        }
    }

    RtspClient.Reply request(String method, String... headers) throws IOException {
        String[] all = new String[headers.length + 1];
        all[0] = session;
        System.arraycopy(headers, 0, all, 1, headers.length);
        return control.request(method, url + "/", all);
    }

    /** An RTCP Receiver Report (RFC 3550 6.4.2) with one block about the server's stream, to server_port + 1. */
    void sendReceiverReport() throws IOException {
        ByteBuffer rr = ByteBuffer.allocate(32);
        rr.put((byte) 0x81).put((byte) 201).putShort((short) 7).putInt(0x12345678); // V=2 RC=1 RR, 8 words
        rr.putInt(serverSsrc).putInt(0).putInt((int) packets.get()).putInt(0).putInt(0).putInt(0);
        rtcp.send(rr.flip(), serverRtcp);
    }

    long packets() {
        return packets.get();
    }

    long lastPacketNanos() {
        return lastPacketNanos;
    }

    @Override
    public void close() throws IOException {
        try {
            control.close();
        } finally {
            rtp.close();
            rtcp.close();
        }
    }
}
