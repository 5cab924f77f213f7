package io.ext3ns.stream.http;

import io.ext3ns.stream.server.ChunkSource;
import io.ext3ns.stream.server.Connection;
import io.ext3ns.stream.server.ConnectionHandler;
import io.ext3ns.stream.server.ContentException;
import io.ext3ns.stream.server.ContentFile;
import io.ext3ns.stream.server.ContentResolver;
import io.ext3ns.stream.server.Request;
import io.ext3ns.stream.server.RequestParser;
import io.ext3ns.stream.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * HTTP/1.1 progressive download from the store: GET and HEAD with one byte range (200, 206, 416, Accept-Ranges,
 * Content-Range), keep-alive, pipelined requests answered in order. The body goes out as slices of the shared
 * chunk buffers that {@code FileSystem.readDirect} filled (a write from direct memory: no copy in user space), one
 * slice whenever the socket has drained, so a slow reader holds one chunk and no thread.
 */
public final class HttpConnectionHandler implements ConnectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnectionHandler.class);
    private static final int MAX_SLICE = 256 * 1024;

    private final ContentResolver resolver;
    private final ChunkSource chunks;
    private final RequestParser parser;
    private ChunkSource.Reader body;
    private long bodyNext;
    private long bodyEnd; // exclusive
    private boolean closeAfterBody;
    private boolean inInput; // onInput is on the stack: the input buffer is flipped and its loop goes on

    public HttpConnectionHandler(ContentResolver resolver, ChunkSource chunks, RequestParser parser) {
        this.resolver = resolver;
        this.chunks = chunks;
        this.parser = parser;
    }

    @Override
    public void onInput(Connection c) throws IOException {
        ByteBuffer in = c.input();
        inInput = true;
        try {
            while (body == null && in.hasRemaining() && !c.isClosing()) {
                Request request;
                try {
                    request = parser.parse(in);
                } catch (RequestParser.BadRequest e) {
                    c.sendOwned(error(e.status(), e.getMessage()).header("Connection", "close").toBuffer());
                    c.closeGracefully();
                    return;
                }
                if (request == null) {
                    return;
                }
                answer(c, request);
            }
        } finally {
            inInput = false;
        }
    }

    private void answer(Connection c, Request r) throws IOException {
        boolean keepAlive = r.version().equals("HTTP/1.1") ? !"close".equalsIgnoreCase(r.header("Connection"))
                : "keep-alive".equalsIgnoreCase(r.header("Connection"));
        if (!r.version().equals("HTTP/1.1") && !r.version().equals("HTTP/1.0")) {
            c.sendOwned(error(505, "HTTP/1.0 or 1.1 only").toBuffer());
            c.closeGracefully();
            return;
        }
        boolean head = r.method().equals("HEAD");
        if (!head && !r.method().equals("GET")) {
            respond(c, error(405, "GET and HEAD only").header("Allow", "GET, HEAD"), keepAlive);
            return;
        }
        ContentFile file;
        try {
            file = resolver.resolve(path(r.target()));
        } catch (ContentException e) {
            respond(c, error(e.status(), e.getMessage()), keepAlive);
            return;
        }
        ByteRange range;
        try {
            range = ByteRange.parse(r.header("Range"), file.size());
        } catch (ByteRange.Unsatisfiable e) {
            respond(c, error(416, e.getMessage()).header("Content-Range", "bytes */" + file.size()), keepAlive);
            return;
        }
        long first = range == null ? 0 : range.first();
        long length = range == null ? file.size() : range.length();
        Response response = new Response("HTTP/1.1", range == null ? 200 : 206)
                .header("Server", "ext3ns").header("Accept-Ranges", "bytes")
                .header("Content-Type", contentType(file.path()))
                .header("ETag", "\"" + file.ino() + "-" + file.mtimeNanos() + "-" + file.size() + "\"");
        if (range != null) {
            response.header("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + file.size());
        }
        if (!keepAlive) {
            response.header("Connection", "close");
        }
        c.sendOwned(response.contentLength(length).toBuffer());
        if (head || length == 0) {
            finishResponse(c, keepAlive);
            return;
        }
        body = chunks.reader(file);
        bodyNext = first;
        bodyEnd = first + length;
        closeAfterBody = !keepAlive;
        pump(c);
    }

    private void respond(Connection c, Response response, boolean keepAlive) throws IOException {
        if (!keepAlive) {
            response.header("Connection", "close");
        }
        c.sendOwned(response.toBuffer());
        finishResponse(c, keepAlive);
    }

    private void finishResponse(Connection c, boolean keepAlive) throws IOException {
        if (!keepAlive) {
            c.closeGracefully();
        }
    }

    /** Queues the next slice of the body if the socket has drained. */
    private void pump(Connection c) throws IOException {
        while (body != null && c.drained()) {
            if (bodyNext >= bodyEnd) {
                body.close();
                body = null;
                finishResponse(c, !closeAfterBody);
                resumePipelined(c);
                return;
            }
            ByteBuffer slice = body.chunkAt(bodyNext);
            if (!slice.hasRemaining()) {
                throw new IOException("file shrank while being sent");
            }
            int n = (int) Math.min(Math.min(slice.remaining(), MAX_SLICE), bodyEnd - bodyNext);
            slice.limit(slice.position() + n);
            bodyNext += n;
            c.sendOwned(slice);
        }
    }

    /** Requests that arrived while a body was going out are parsed now. */
    private void resumePipelined(Connection c) throws IOException {
        ByteBuffer in = c.input();
        if (!inInput && in.position() > 0 && !c.isClosing()) {
            in.flip();
            try {
                onInput(c);
            } finally {
                in.compact();
            }
        }
    }

    @Override
    public void onDrained(Connection c) throws IOException {
        pump(c);
    }

    @Override
    public void onClose(Connection c) {
        if (body != null) {
            try {
                body.close();
            } catch (IOException e) {
                LOG.warn("releasing file handle: {}", e.toString());
            }
            body = null;
        }
    }

    private static Response error(int status, String why) {
        return new Response("HTTP/1.1", status).header("Server", "ext3ns").body("text/plain", why + "\r\n");
    }

    /** The path part of an origin-form or absolute-form request target (RFC 9112 3.2). */
    private static String path(String target) throws ContentException {
        String t = target;
        if (t.regionMatches(true, 0, "http://", 0, 7)) {
            int slash = t.indexOf('/', 7);
            t = slash < 0 ? "/" : t.substring(slash);
        }
        if (!t.startsWith("/")) {
            throw new ContentException(400, "request target is not a path: " + target);
        }
        int q = t.indexOf('?');
        return q < 0 ? t : t.substring(0, q);
    }

    private static String contentType(String path) {
        String lower = path.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".ts") || lower.endsWith(".m2ts") || lower.endsWith(".mpg")) {
            return "video/mp2t";
        }
        return "application/octet-stream";
    }
}
