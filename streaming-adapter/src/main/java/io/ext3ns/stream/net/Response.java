package io.ext3ns.stream.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds the head (and small body) of an RTSP or HTTP response: status line, headers, Content-Length. */
public final class Response {
    /** Reason phrases of RFC 9110 and RFC 2326 (7.1.1); the protocol decides, as a few codes differ in meaning. */
    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"), Map.entry(204, "No Content"), Map.entry(206, "Partial Content"),
            Map.entry(304, "Not Modified"),
            Map.entry(400, "Bad Request"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"), Map.entry(408, "Request Timeout"),
            Map.entry(411, "Length Required"), Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Content Too Large"), Map.entry(414, "URI Too Long"),
            Map.entry(415, "Unsupported Media Type"), Map.entry(416, "Range Not Satisfiable"),
            Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"),
            Map.entry(505, "HTTP Version Not Supported"));
    private static final Map<Integer, String> RTSP_REASONS = Map.ofEntries(
            Map.entry(408, "Request Time-out"), Map.entry(413, "Request Entity Too Large"),
            Map.entry(414, "Request-URI Too Large"),
            Map.entry(451, "Parameter Not Understood"), Map.entry(453, "Not Enough Bandwidth"),
            Map.entry(454, "Session Not Found"), Map.entry(455, "Method Not Valid in This State"),
            Map.entry(456, "Header Field Not Valid for Resource"), Map.entry(457, "Invalid Range"),
            Map.entry(459, "Aggregate Operation Not Allowed"), Map.entry(460, "Only Aggregate Operation Allowed"),
            Map.entry(461, "Unsupported Transport"), Map.entry(505, "RTSP Version Not Supported"),
            Map.entry(551, "Option not supported"));

    private final StringBuilder head = new StringBuilder(256);
    private final int status;
    private byte[] body = new byte[0];
    private boolean explicitLength;

    public Response(String protocol, int status) {
        this.status = status;
        head.append(protocol).append(' ').append(status).append(' ')
                .append(reason(protocol, status)).append("\r\n");
    }

    static String reason(String protocol, int status) {
        String r = protocol.startsWith("RTSP") ? RTSP_REASONS.get(status) : null;
        if (r == null) {
            r = REASONS.get(status);
        }
        if (r == null) {
            throw new IllegalArgumentException("no reason phrase for status " + status); // a bug: add it above
        }
        return r;
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

    /** A response that has no body and says no length (204, 304: RFC 9110 15.3.5, 15.4.5). */
    public Response withoutBody() {
        explicitLength = true;
        return this;
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
