package io.ext3ns.stream.send;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where a session's RTP and RTCP packets go: UDP unicast (legacy, gathering or batched) or RTSP-interleaved TCP.
 * Called only from the session's scheduler thread.
 */
public interface RtpSink extends Closeable {
    /**
     * Sends (or takes over, for batching sinks) packets from {@code burst.sent()} on and records how many with
     * {@link PacketBurst#markSent}. Taking fewer than all means "congested, try again soon"; a sink never blocks.
     */
    void send(PacketBurst burst) throws IOException;

    /**
     * Sends one RTCP compound packet; false, counted in the stats, when the socket or connection is full (the caller
     * may retry: the final BYE must not be lost, a player waits for it). True also when the sink sends no RTCP.
     */
    boolean sendRtcp(ByteBuffer rtcp) throws IOException;

    SendStats stats();

    /** Local UDP port the RTP packets leave from (RTSP's server_port), or -1 when not sending over UDP. */
    default int localPort() throws IOException {
        return -1;
    }

    /** The UDP port RTCP leaves from and Receiver Reports arrive on (server_port + 1), or null (TCP, no RTCP). */
    default RtcpPort rtcpPort() {
        return null;
    }

    /** For messages: where the packets go. */
    String describe();
}
