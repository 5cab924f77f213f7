package io.ext3ns.stream.http;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.sda.MemberExtent;
import io.ext3ns.stream.access.AccessPolicy;
import io.ext3ns.stream.access.UrlSigner;
import io.ext3ns.stream.content.ContentException;
import io.ext3ns.stream.content.ContentFile;
import io.ext3ns.stream.content.ContentResolver;
import io.ext3ns.stream.content.MemberFiles;
import io.ext3ns.stream.metrics.PrometheusWriter;
import io.ext3ns.stream.metrics.RequestCounts;
import io.ext3ns.stream.net.Connection;
import io.ext3ns.stream.net.ConnectionHandler;
import io.ext3ns.stream.net.NioLoop;
import io.ext3ns.stream.net.Request;
import io.ext3ns.stream.net.RequestParser;
import io.ext3ns.stream.net.Response;
import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.fs.cache.PoolExhaustedException;
import io.ext3ns.stream.source.FsMediaSource;
import io.ext3ns.stream.source.MediaSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 progressive download from the store: GET and HEAD with one byte range (200, 206, 416, Accept-Ranges,
 * Content-Range), keep-alive, pipelined requests answered in order. The body is sent from leases on the file
 * system's block cache ({@code FileSystem.leaseAsync}: shared with FUSE readers and RTP viewers of the same title,
 * filled by the file system's read-ahead pool on a miss), and the socket is written straight from the unit (no copy
 * in user space). One unit is held
 * at a time and the next is asked for only when the socket has drained, so a slow reader holds one unit and no
 * thread, and the event loop never waits for the disk. On a read-only store whose members are files or disks, and a
 * plain (not TLS) connection, the body is sent instead with sendfile from the member files where the store says
 * its bytes lie (see docs/server.md, "HTTP body"): no copy through user space, no unit read; those bytes count in
 * {@code ext3ns_member_read_bytes_total} as bytes read from the members.
 *
 * <p>{@code GET /metrics} answers the server's Prometheus scrape when a metrics supplier is given (it shadows a
 * store file of that name). Every answer is counted by method and status; every body served is logged once, at its
 * end, with its range and the bytes sent.
 *
 * <p>Access (docs/server.md, "Access control"): OPTIONS is answered 204 with Allow, and as a CORS preflight when it
 * asks; every answer carries the CORS headers the policy gives for the request's Origin; with a URL secret, every
 * path but /metrics needs a valid signature ({@code ?exp=&sig=}) before it is even looked up, else 403.
 */
public final class HttpConnectionHandler implements ConnectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpConnectionHandler.class);
    private static final int MAX_SLICE = 256 * 1024;
    /** Bytes located per lookup on the sendfile path: few lookups per GB, a short list of runs held. */
    private static final long LOCATE_BYTES = 8L << 20;
    /** The path of the Prometheus scrape. */
    public static final String METRICS_PATH = "/metrics";
    /** Methods counted by name in the request counters; anything else counts as "other". */
    public static final Set<String> METHODS = Set.of("GET", "HEAD", "OPTIONS");
    /** The methods this server answers, for Allow. */
    private static final String ALLOW = "GET, HEAD, OPTIONS";

    /** When the pinned pool is exhausted, ask again after this long. */
    private static final long POOL_RETRY_MILLIS = 20;

    private final FileSystem fs;
    private final ContentResolver resolver;
    private final NioLoop loop;
    private final RequestParser parser;
    private final RequestCounts requests;
    private final Supplier<String> metrics; // null: no /metrics endpoint
    private final AccessPolicy access;
    private String origin; // the Origin header of the request being answered, for its CORS headers
    private final PlaylistResponder playlists; // null: no HLS
    private final WebApp web; // null: no web page
    private boolean waiting; // an answer is being prepared off the loop (an index scan): later requests wait
    private MediaSource body;
    private CachedBlock unit; // the unit the queued slice points into
    private boolean loading;
    /** The unit read this connection started or joined; its source must stay open until it is done. */
    private CompletableFuture<CachedBlock> inFlight;
    private final MemberFiles memberFiles; // null: bodies always go through pinned units
    /** This body goes through pinned units: TLS, no sendfile, or a range the store cannot locate (a hole). */
    private boolean copyBody;
    private List<MemberExtent> extents; // where file bytes [extentsStart, extentsEnd) lie on the members
    private long extentsStart;
    private long extentsEnd;
    private long bodyNext;
    private long bodyEnd; // exclusive
    private boolean closeAfterBody;
    private boolean inInput; // onInput is on the stack: the input buffer is flipped and its loop goes on
    private String served; // the body going out, for its log line: "GET /a.ts status=206 range=0-99"
    private long bodyFirst;

    public HttpConnectionHandler(FileSystem fs, ContentResolver resolver, NioLoop loop,
                                 RequestParser parser) {
        this(fs, resolver, loop, parser, new RequestCounts(METHODS), null, AccessPolicy.OPEN);
    }

    /**
     * With request counters shared by every connection, {@code metrics} producing the /metrics body, and the
     * server's CORS and URL-signing policy.
     */
    public HttpConnectionHandler(FileSystem fs, ContentResolver resolver, NioLoop loop,
                                 RequestParser parser, RequestCounts requests, Supplier<String> metrics,
                                 AccessPolicy access) {
        this(fs, resolver, loop, parser, requests, metrics, access, null, null, null);
    }

    /**
     * As above, also answering HLS playlists and the web page (either may be null); bodies on plain connections are
     * sent with sendfile from the store's member files (opened through {@code memberFiles}, null: never) when the
     * store can say where they lie (a read-only volume on member files), else from pinned units.
     */
    public HttpConnectionHandler(FileSystem fs, ContentResolver resolver, NioLoop loop,
                                 RequestParser parser, RequestCounts requests, Supplier<String> metrics,
                                 AccessPolicy access, PlaylistResponder playlists, WebApp web,
                                 MemberFiles memberFiles) {
        this.memberFiles = memberFiles;
        this.fs = fs;
        this.resolver = resolver;
        this.loop = loop;
        this.parser = parser;
        this.requests = requests;
        this.metrics = metrics;
        this.playlists = playlists;
        this.web = web;
        this.access = access;
    }

    @Override
    public void onInput(Connection c) throws IOException {
        ByteBuffer in = c.input();
        inInput = true;
        try {
            while (body == null && !waiting && in.hasRemaining() && !c.isClosing()) {
                Request request;
                origin = null; // an answer before a parsed request has no Origin to answer
                try {
                    request = parser.parse(in);
                } catch (RequestParser.BadRequest e) {
                    send(c, null, error(e.status(), e.getMessage()).header("Connection", "close"));
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
        origin = r.header("Origin");
        boolean keepAlive = r.version().equals("HTTP/1.1") ? !"close".equalsIgnoreCase(r.header("Connection"))
                : "keep-alive".equalsIgnoreCase(r.header("Connection"));
        if (!r.version().equals("HTTP/1.1") && !r.version().equals("HTTP/1.0")) {
            send(c, r.method(), error(505, "HTTP/1.0 or 1.1 only"));
            c.closeGracefully();
            return;
        }
        if (r.version().equals("HTTP/1.1") && r.header("Host") == null) {
            respond(c, r, error(400, "HTTP/1.1 request without Host"), keepAlive); // RFC 9112 3.2
            return;
        }
        if (r.method().equals("OPTIONS")) {
            respond(c, r, options(r), keepAlive);
            return;
        }
        boolean head = r.method().equals("HEAD");
        if (!head && !r.method().equals("GET")) {
            respond(c, r, error(405, "GET, HEAD and OPTIONS only").header("Allow", ALLOW), keepAlive);
            return;
        }
        ContentFile file;
        try {
            String path = path(r.target());
            if (metrics != null && path.equals(METRICS_PATH)) {
                respond(c, r, scrape(head), keepAlive); // never signed: a scraper cannot sign; no titles in it
                return;
            }
            if (web == null || !web.isAsset(path)) { // the page's own scripts and styles hold no titles
                authorize(r.target(), path);
            }
            CompletableFuture<Response> later = web == null ? null : web.answer(path, head);
            if (later == null && playlists != null) {
                later = playlists.answer(path, query(r.target()), head);
            }
            if (later != null) {
                respondWhenReady(c, r, later, keepAlive);
                return;
            }
            file = resolver.resolve(path);
        } catch (ContentException e) {
            respond(c, r, error(e.status(), e.getMessage()), keepAlive);
            return;
        }
        String etag = "\"" + file.ino() + "-" + file.mtimeNanos() + "-" + file.size() + "\"";
        long modified = Math.floorDiv(file.mtimeNanos(), 1_000_000_000L);
        String lastModified = HttpDate.format(java.time.Instant.ofEpochSecond(modified));
        switch (Preconditions.evaluate(r, etag, modified)) {
            case PRECONDITION_FAILED -> {
                respond(c, r, error(412, "precondition failed"), keepAlive);
                return;
            }
            case NOT_MODIFIED -> {
                respond(c, r, new Response("HTTP/1.1", 304).header("Server", "ext3ns").header("Date", now())
                        .header("ETag", etag).header("Last-Modified", lastModified).withoutBody(), keepAlive);
                return;
            }
            case PROCEED -> {
            }
        }
        ByteRange range;
        try {
            range = Preconditions.rangeApplies(r, etag, modified) ? ByteRange.parse(r.header("Range"), file.size())
                    : null;
        } catch (ByteRange.Unsatisfiable e) {
            respond(c, r, error(416, e.getMessage()).header("Content-Range", "bytes */" + file.size()), keepAlive);
            return;
        }
        long first = range == null ? 0 : range.first();
        long length = range == null ? file.size() : range.length();
        Response response = new Response("HTTP/1.1", range == null ? 200 : 206)
                .header("Server", "ext3ns").header("Date", now()).header("Accept-Ranges", "bytes")
                .header("Content-Type", ContentTypes.of(file.path()))
                .header("ETag", etag).header("Last-Modified", lastModified);
        if (range != null) {
            response.header("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + file.size());
        }
        if (!keepAlive) {
            response.header("Connection", "close");
        }
        send(c, r.method(), response.contentLength(length));
        served = r.method() + " " + file.path() + " status=" + response.status() + " range=" + first + "-"
                + (first + length - 1) + "/" + file.size();
        bodyFirst = first;
        if (head || length == 0) {
            logServed(c, "served", 0);
            finishResponse(c, keepAlive);
            return;
        }
        body = new FsMediaSource(fs, file.path());
        copyBody = memberFiles == null || !c.sendsFiles();
        extents = null;
        bodyNext = first;
        bodyEnd = first + length;
        closeAfterBody = !keepAlive;
        pump(c);
    }

    /**
     * Answers with {@code answer} when it completes (at once if it has): meanwhile this connection reads no further
     * request, so pipelined answers keep their order, and the loop serves everyone else.
     */
    private void respondWhenReady(Connection c, Request r, CompletableFuture<Response> answer, boolean keepAlive)
            throws IOException {
        if (answer.isDone()) {
            respond(c, r, answerOf(answer), keepAlive);
            return;
        }
        waiting = true;
        answer.whenComplete((x, e) -> loop.execute(() -> {
            waiting = false;
            if (c.isClosed()) {
                return;
            }
            try {
                respond(c, r, answerOf(answer), keepAlive);
                resumePipelined(c);
            } catch (IOException e2) {
                c.close();
            }
        }));
    }

    private static Response answerOf(CompletableFuture<Response> answer) {
        try {
            return answer.join();
        } catch (RuntimeException e) {
            LOG.warn("preparing an answer failed: {}", e.toString());
            return error(500, "internal error");
        }
    }

    private void respond(Connection c, Request r, Response response, boolean keepAlive) throws IOException {
        if (!keepAlive) {
            response.header("Connection", "close");
        }
        send(c, r.method(), response);
        finishResponse(c, keepAlive);
    }

    /** Every answer goes out here, so each is counted once and carries the CORS headers. */
    private void send(Connection c, String method, Response response) throws IOException {
        access.cors().responseHeaders(origin).forEach(response::header);
        requests.count(method, response.status());
        c.sendOwned(response.toBuffer());
    }

    /** The one log line of a body: how it ended and the body bytes queued to the socket. */
    private void logServed(Connection c, String outcome, long bytes) {
        if (LOG.isInfoEnabled()) {
            LOG.info("http client={} {} {} bytes={}", c.remote().getAddress().getHostAddress(), served, outcome,
                    bytes);
        }
        served = null;
    }

    /**
     * OPTIONS (any target, "*" too): 204 with Allow; a CORS preflight (it names Access-Control-Request-Method) also
     * gets the methods, request headers and lifetime the policy grants its origin. Never signed: it reveals nothing.
     */
    private Response options(Request r) {
        Response response = new Response("HTTP/1.1", 204).header("Server", "ext3ns").header("Date", now())
                .header("Allow", ALLOW);
        if (r.header("Access-Control-Request-Method") != null) {
            access.cors().preflightHeaders(origin).forEach(response::header);
        }
        return response.withoutBody();
    }

    /**
     * With a URL secret: the request's signature ({@code ?exp=&sig=}) must grant {@code path} (or a folder or title
     * above it: the playlists under a title inherit its token), else 403 before the store is consulted, so an
     * unsigned client cannot tell which names exist.
     */
    private void authorize(String target, String path) throws ContentException {
        if (!access.signing()) {
            return;
        }
        int q = target.indexOf('?');
        UrlSigner.Verdict verdict = access.authorize(ContentResolver.decode(path),
                q < 0 ? null : target.substring(q + 1));
        if (verdict != UrlSigner.Verdict.GRANTED) {
            throw new ContentException(403, verdict.reason());
        }
    }

    /** The Prometheus scrape; for HEAD its head only, with the length the body would have. */
    private Response scrape(boolean head) {
        String text = metrics.get();
        Response r = new Response("HTTP/1.1", 200).header("Server", "ext3ns").header("Date", now());
        if (head) {
            return r.header("Content-Type", PrometheusWriter.CONTENT_TYPE)
                    .contentLength(text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        }
        return r.body(PrometheusWriter.CONTENT_TYPE, text);
    }

    private void finishResponse(Connection c, boolean keepAlive) throws IOException {
        if (!keepAlive) {
            c.closeGracefully();
        }
    }

    /**
     * When the socket has drained: lets go of the unit just sent, then queues the body's next piece from the unit
     * holding it (asking the engine to load it if needed), or finishes the response.
     */
    private void pump(Connection c) throws IOException {
        if (body == null || loading || !c.drained()) {
            return;
        }
        if (unit != null && bodyNext >= unit.fileOffset() + unit.length()) {
            releaseUnit();
        }
        if (bodyNext >= bodyEnd) {
            releaseUnit();
            extents = null;
            closeBody();
            logServed(c, "served", bodyEnd - bodyFirst);
            finishResponse(c, !closeAfterBody);
            resumePipelined(c);
            return;
        }
        if (!copyBody) {
            if (extents == null || bodyNext >= extentsEnd) {
                locate(c);
                pump(c);
                return;
            }
            sendExtents(c);
            pump(c); // all taken at once: go on
            return;
        }
        if (unit == null) {
            load(c);
            return;
        }
        int within = (int) (bodyNext - unit.fileOffset());
        int n = (int) Math.min(unit.length() - within, bodyEnd - bodyNext);
        ByteBuffer slice = unit.ref().buffer().position(within).limit(within + n);
        bodyNext += n;
        requests.addBodyBytes(n);
        c.sendOwned(slice);
        pump(c); // all taken at once: go on with the next unit
    }

    /** Queues the located bytes from {@code bodyNext} on, up to the body's end, as sendfile runs. */
    private void sendExtents(Connection c) throws IOException {
        long stop = Math.min(extentsEnd, bodyEnd);
        long at = extentsStart; // file offset of the extent's first byte
        for (MemberExtent e : extents) {
            long end = at + e.length();
            if (end > bodyNext && at < stop) {
                long from = Math.max(bodyNext, at);
                long to = Math.min(end, stop);
                c.sendFile(memberFiles.channel(e.member()), e.offset() + (from - at), to - from);
                memberFiles.countSent(to - from);
                bodyNext = to;
            }
            at = end;
            if (at >= stop) {
                break;
            }
        }
        if (bodyNext < stop) {
            throw new IOException("extents cover " + (at - extentsStart) + " bytes, not " + (stop - extentsStart));
        }
    }

    /**
     * Asks the store where the next {@link #LOCATE_BYTES} of the body lie on the members: block-map lookups, the
     * same metadata work as resolving the name and opening the file, done on the loop as those are (no data is
     * read). Null from the store (a hole, a writable volume) sends the rest of the body by copy.
     */
    private void locate(Connection c) throws IOException {
        int bs = body.directAlignment();
        long start = bodyNext / bs * bs;
        long end = Math.min(start + LOCATE_BYTES, (bodyEnd + bs - 1) / bs * bs);
        List<MemberExtent> where = body.locate(start, end - start);
        if (where == null) {
            copyBody = true;
            return;
        }
        for (MemberExtent e : where) { // checked once here: a short member would make sendfile send nothing
            if (e.offset() + e.length() > memberFiles.size(e.member())) {
                throw new IOException(e.member() + " is shorter than the extent at " + e.offset());
            }
        }
        extents = where;
        extentsStart = start;
        extentsEnd = end;
    }

    private void load(Connection c) {
        loading = true;
        long number = bodyNext / body.unitBytes();
        CompletableFuture<CachedBlock> future;
        try {
            future = body.lease(number);
        } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
        }
        inFlight = future;
        future.whenComplete((loaded, error) -> loop.execute(() -> loaded(c, loaded, error)));
    }

    /** On the loop thread: a unit arrived (or failed) for connection {@code c}. */
    private void loaded(Connection c, CachedBlock loaded, Throwable error) {
        loading = false;
        if (c.isClosed() || body == null) {
            if (loaded != null) {
                loaded.ref().release();
            }
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof PoolExhaustedException) {
            loading = true; // every pinned unit is in use: ask again shortly, holding nothing meanwhile
            CompletableFuture.delayedExecutor(POOL_RETRY_MILLIS, TimeUnit.MILLISECONDS)
                    .execute(() -> loop.execute(() -> {
                        loading = false;
                        if (!c.isClosed() && body != null) {
                            load(c);
                        }
                    }));
            return;
        }
        if (cause != null) {
            LOG.warn("{}: reading {} failed, closing: {}", c.remote(), body.name(), cause.toString());
            c.close(); // the head is sent: the client sees a short body, never wrong bytes
            return;
        }
        unit = loaded;
        try {
            pump(c);
        } catch (IOException e) {
            c.close();
        }
    }

    private void releaseUnit() {
        if (unit != null) {
            unit.ref().release();
            unit = null;
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
        releaseUnit(); // the socket is closed: nothing reads the unit's memory any more
        if (body != null) {
            logServed(c, "aborted", bodyNext - bodyFirst);
            closeBody();
        }
    }

    /**
     * Lets go of the body's file handle, once the unit read started through it is over: other connections (and RTP
     * streams) reading the same title may have joined that read, and closing the handle under it failed their
     * reads (a client resetting right after its request cut the bodies of others short).
     */
    private void closeBody() {
        MediaSource source = body;
        body = null;
        CompletableFuture<CachedBlock> read = inFlight;
        inFlight = null;
        if (read == null || read.isDone()) {
            closeQuietly(source);
        } else {
            read.whenComplete((u, e) -> closeQuietly(source));
        }
    }

    private static void closeQuietly(MediaSource source) {
        try {
            source.close();
        } catch (IOException e) {
            LOG.warn("releasing file handle: {}", e.toString());
        }
    }

    @Override
    public boolean readingRequest(Connection c) {
        return body == null && !waiting;
    }

    @Override
    public void onHeadTimeout(Connection c) throws IOException {
        send(c, null, error(408, "no whole request head in time").header("Connection", "close"));
        c.closeGracefully();
    }

    private static String now() {
        return HttpDate.format(java.time.Instant.now());
    }

    private static Response error(int status, String why) {
        return new Response("HTTP/1.1", status).header("Server", "ext3ns").header("Date", now())
                .body("text/plain", why + "\r\n");
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

    /** The query string of a request target (after the first '?'), verbatim; empty if none. */
    private static String query(String target) {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }
}
