package io.ext3ns.stream.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds the head (and small body) of an RTSP or HTTP response: status line, headers, Content-Length. */
public final class Response {
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(206, "Partial Content"), Map.entry(400, "Bad Request"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(413, "Request Entity Too Large"), Map.entry(416, "Range Not Satisfiable"),
            Map.entry(451, "Parameter Not Understood"), Map.entry(453, "Not Enough Bandwidth"),
            Map.entry(454, "Session Not Found"), Map.entry(455, "Method Not Valid in This State"),
            Map.entry(457, "Invalid Range"), Map.entry(459, "Aggregate Operation Not Allowed"),
            Map.entry(461, "Unsupported Transport"), Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"), Map.entry(503, "Service Unavailable"),
            Map.entry(505, "Version Not Supported"));

    private final StringBuilder head = new StringBuilder(256);
    private final int status;
    private byte[] body = new byte[0];
    private boolean explicitLength;

    public Response(String protocol, int status) {
        this.status = status;
        head.append(protocol).append(' ').append(status).append(' ')
                .append(REASONS.getOrDefault(status, "Error")).append("\r\n");
    }

    /** The status code, for request counters and logs. */
    public int status() {
        return status;
    }

    public Response header(String name, Object value) {
        head.append(name).append(": ").append(value).append("\r\n");
        return this;
    }

    /** A body sent with the head (SDP, stats, an error text). */
    public Response body(String contentType, String text) {
        body = text.getBytes(StandardCharsets.UTF_8);
        return header("Content-Type", contentType);
    }

    /** Declares the length of a body the caller streams after the head (HTTP downloads). */
    public Response contentLength(long length) {
        explicitLength = true;
        return header("Content-Length", length);
    }

    public ByteBuffer toBuffer() {
        if (!explicitLength && (body.length > 0 || !head.toString().startsWith("RTSP"))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(h.length + body.length).put(h).put(body).flip();
    }
}
