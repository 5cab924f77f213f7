package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.index.PcrIndex;
import io.ext3ns.stream.server.Connection;
import io.ext3ns.stream.server.ContentFile;
import io.ext3ns.stream.server.Pacer;

import java.net.InetAddress;

/**
 * One RTSP session (RFC 2326 A.1): the file and the stream set up for it, who owns it, and when it last heard from
 * the client. Touched on the event-loop thread only; the streamer inside is shared with a pacer thread.
 */
final class RtspSession {
    final String id;
    final InetAddress client;
    final Connection connection; // the connection that set it up (owns the interleaved channels)
    final ContentFile file;
    final PcrIndex index;
    final String controlUrl;
    final RtpStreamer streamer;
    final Pacer.Slot slot;
    final String transportReply;
    long lastActivityNanos;
    boolean started;

    RtspSession(String id, InetAddress client, Connection connection, ContentFile file, PcrIndex index,
                String controlUrl, RtpStreamer streamer, Pacer.Slot slot, String transportReply, long now) {
        this.id = id;
        this.client = client;
        this.connection = connection;
        this.file = file;
        this.index = index;
        this.controlUrl = controlUrl;
        this.streamer = streamer;
        this.slot = slot;
        this.transportReply = transportReply;
        this.lastActivityNanos = now;
    }
}
