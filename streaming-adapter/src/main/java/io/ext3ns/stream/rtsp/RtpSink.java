package io.ext3ns.stream.rtsp;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Where one session's RTP and RTCP packets go: a UDP port pair, or channels interleaved on the RTSP connection. */
public interface RtpSink extends Closeable {
    /**
     * Sends one RTP packet gathered from {@code parts[0..count)} (header, then payload slices, not copied where the
     * transport allows). Returns false if the packet was dropped because the client cannot keep up.
     *
     * @throws java.net.PortUnreachableException the client is gone
     */
    boolean sendRtp(ByteBuffer[] parts, int count) throws IOException;

    /** Sends one RTCP compound packet; best effort. */
    void sendRtcp(ByteBuffer packet) throws IOException;

    /** Which send path this sink uses, for stats and the shooter's report. */
    String path();

    /** Reads any RTCP the client sent (receiver reports keep a UDP session alive); true if something arrived. */
    boolean pollClientReports() throws IOException;
}
