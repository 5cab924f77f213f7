package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.index.PcrIndex;
import io.ext3ns.stream.net.Connection;
import io.ext3ns.stream.session.StreamSession;
import java.net.InetAddress;

/**
 * One RTSP session (RFC 2326 A.1): the file, the engine's stream for it, who owns it, and when it last heard from
 * the client. Touched on the event-loop thread only; the stream itself runs on an engine scheduler thread.
 */
final class RtspSession {
    final String id;
    final InetAddress client;
    final Connection connection; // the connection that set it up (carries the interleaved channels)
    final boolean interleaved;
    final PcrIndex index;
    final String controlUrl;
    final StreamSession stream;
    final String path; // send path, for stats
    final String file; // the content path, for logs
    final long createdNanos;
    long lastActivityNanos;
    boolean started;
    java.net.InetSocketAddress rtcpPeer; // where the client's RTCP comes from (UDP), or null
    String title; // the URL-decoded path SETUP named: what a PLAY's signature must grant

    RtspSession(String id, InetAddress client, Connection connection, boolean interleaved, PcrIndex index, String controlUrl, StreamSession stream, String path, io.ext3ns.stream.content.ContentFile content, long now) {
        this.id = id;
        this.client = client;
        this.connection = connection;
        this.interleaved = interleaved;
        this.index = index;
        this.controlUrl = controlUrl;
        this.stream = stream;
        this.path = path;
        this.file = content.path();
        this.lastActivityNanos = now;
        this.createdNanos = now;
    }
}
