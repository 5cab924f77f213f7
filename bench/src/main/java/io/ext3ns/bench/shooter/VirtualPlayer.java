package io.ext3ns.bench.shooter;

import io.ext3ns.stream.testkit.RtspClient;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;

/**
 * One PseudoPlayer client: an RTSP control connection and a UDP port pair, SETUP and PLAY of one title, received by
 * the {@link ReceiverPool}; TEARDOWN when the run step ends.
 */
final class VirtualPlayer implements Closeable {
    private static final int RECEIVE_BUFFER = 256 * 1024;

    private final RtspClient control;
    private final ReceiverPool pool;
    private final DatagramChannel rtcp;
    final ReceiverPool.Ears ears;
    private final String url;
    private String session;

    private VirtualPlayer(RtspClient control, ReceiverPool pool, ReceiverPool.Ears ears, DatagramChannel rtcp,
                          String url) {
        this.control = control;
        this.pool = pool;
        this.ears = ears;
        this.rtcp = rtcp;
        this.url = url;
    }

    /** Connects, sets up {@code url} over UDP and starts playing; the pool hears the packets. */
    static VirtualPlayer start(String host, int port, String url, ReceiverPool pool) throws IOException {
        ReceiverPool.Ears rtp = pool.open(host);
        DatagramChannel rtcp = null;
        RtspClient control = null;
        try {
            rtcp = open(host);
            control = new RtspClient(host, port);
            VirtualPlayer p = new VirtualPlayer(control, pool, rtp, rtcp, url);
            p.setupAndPlay();
            return p;
        } catch (IOException | RuntimeException e) {
            pool.retire(rtp);
            if (rtcp != null) {
                rtcp.close();
            }
            if (control != null) {
                control.close();
            }
            throw e;
        }
    }

    private static DatagramChannel open(String host) throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER);
        ch.bind(new InetSocketAddress(host, 0));
        ch.configureBlocking(false);
        return ch;
    }

    private void setupAndPlay() throws IOException {
        int rtpPort = ears.port();
        int rtcpPort = rtcp.socket().getLocalPort();
        RtspClient.Reply setup = control.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP;unicast;client_port=" + rtpPort + "-" + rtcpPort);
        if (setup.status() != 200) {
            throw new IOException("SETUP " + url + ": " + setup.status() + " " + setup.body().trim());
        }
        session = "Session: " + setup.header("Session").split(";")[0];
        RtspClient.Reply play = control.request("PLAY", url, session, "Range: npt=0-");
        if (play.status() != 200) {
            throw new IOException("PLAY " + url + ": " + play.status());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (session != null) {
                control.request("TEARDOWN", url, session);
            }
        } finally {
            control.close();
            pool.retire(ears);
            rtcp.close();
        }
    }
}
