package io.ext3ns.stream.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the text requests RTSP (RFC 2326 section 6) and HTTP/1.1 share: a request line, header lines, an empty line,
 * then Content-Length bytes of body. Works on whatever bytes have arrived: {@link #parse} returns null until a whole
 * request is there. Everything is bounded before it is buffered: the head may not exceed {@code maxBytes}, nor the
 * header count {@code maxHeaders}, nor the body {@code maxBytes}; anything malformed is a {@link BadRequest}
 * carrying the status to answer with, after which the connection is closed (the stream can no longer be framed).
 */
public final class RequestParser {
    /** A request that cannot be served: answer {@link #status()} and close. */
    public static final class BadRequest extends Exception {
        private final int status;

        public BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final int maxBytes;
    private final int maxHeaders;

    public RequestParser(int maxBytes, int maxHeaders) {
        this.maxBytes = maxBytes;
        this.maxHeaders = maxHeaders;
    }

    /**
     * Parses one request from {@code in} (flipped for reading). On success the buffer's position is after the
     * request; when more bytes are needed, null is returned and the position is unchanged.
     */
    public Request parse(ByteBuffer in) throws BadRequest {
        // empty lines before a request line are skipped (RFC 9112 2.2), e.g. the LF of a CRLF whose CR ended a head
        while (in.hasRemaining() && (in.get(in.position()) == '\r' || in.get(in.position()) == '\n')) {
            in.get();
        }
        if (!in.hasRemaining()) {
            return null;
        }
        int start = in.position();
        int bodyStart = findBodyStart(in, start);
        if (bodyStart < 0) {
            if (in.remaining() > maxBytes) {
                throw new BadRequest(400, "request head exceeds " + maxBytes + " bytes");
            }
            return null;
        }
        if (bodyStart - start > maxBytes) {
            throw new BadRequest(400, "request head exceeds " + maxBytes + " bytes");
        }
        byte[] head = new byte[bodyStart - start];
        in.get(start, head);
        String text = new String(head, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r\n|\r|\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || requestLine[0].isEmpty() || requestLine[1].isEmpty()) {
            throw new BadRequest(400, "malformed request line");
        }
        for (int i = 0; i < requestLine[0].length(); i++) {
            char c = requestLine[0].charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c == '_' || c == '-')) {
                throw new BadRequest(400, "malformed method");
            }
        }
        String version = requestLine[2];
        if (!version.startsWith("RTSP/") && !version.startsWith("HTTP/")) {
            throw new BadRequest(400, "malformed protocol version");
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                continue;
            }
            if (headers.size() == maxHeaders) {
                throw new BadRequest(400, "more than " + maxHeaders + " header lines");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new BadRequest(400, "malformed header line");
            }
            headers.add(new AbstractMap.SimpleImmutableEntry<>(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim()));
        }
        int bodyLength = contentLength(headers);
        if (in.limit() - bodyStart < bodyLength) {
            return null;
        }
        byte[] body = new byte[bodyLength];
        in.get(bodyStart, body);
        in.position(bodyStart + bodyLength);
        return new Request(requestLine[0], requestLine[1], version, headers, body);
    }

    private int contentLength(List<Map.Entry<String, String>> headers) throws BadRequest {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equals("content-length")) {
                long n;
                try {
                    n = Long.parseLong(h.getValue());
                } catch (NumberFormatException e) {
                    throw new BadRequest(400, "malformed Content-Length");
                }
                if (n < 0) {
                    throw new BadRequest(400, "negative Content-Length");
                }
                if (n > maxBytes) {
                    throw new BadRequest(413, "body of " + n + " bytes exceeds " + maxBytes);
                }
                return (int) n;
            }
        }
        return 0;
    }

    /**
     * Index after the empty line ending the head, or -1. Lines end with CRLF, or with a bare CR or LF (RFC 2326 4:
     * receivers should accept either alone). A CR that is the last byte received ends the head only when the head
     * uses bare CRs: in a CRLF head its LF may still be on the way (and would otherwise be taken for body).
     */
    private static int findBodyStart(ByteBuffer in, int start) {
        int limit = in.limit();
        boolean lineEmpty = false; // the line being scanned has no character yet (only after a line end)
        boolean sawCrlf = false;
        for (int i = start; i < limit; i++) {
            byte b = in.get(i);
            int end; // index after this line ending, or -1 if b is not one
            if (b == '\n') {
                end = i + 1;
            } else if (b == '\r') {
                if (i + 1 < limit) {
                    end = in.get(i + 1) == '\n' ? i + 2 : i + 1;
                    sawCrlf |= end == i + 2;
                } else if (lineEmpty && !sawCrlf) {
                    end = i + 1;
                } else {
                    return -1; // wait for the byte after this CR
                }
            } else {
                lineEmpty = false;
                continue;
            }
            if (lineEmpty) {
                return end;
            }
            lineEmpty = true;
            i = end - 1;
        }
        return -1;
    }
}
