package io.ext3ns.stream.rtsp;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.stream.access.UrlSigner;
import io.ext3ns.stream.content.ContentException;
import io.ext3ns.stream.content.ContentFile;
import io.ext3ns.stream.content.ContentResolver;
import io.ext3ns.stream.feed.TrickPlayFeed;
import io.ext3ns.stream.index.InvalidTransportStreamException;
import io.ext3ns.stream.index.KeyframeTable;
import io.ext3ns.stream.index.PcrIndex;
import io.ext3ns.stream.index.PcrIndexCache;
import io.ext3ns.stream.metrics.RequestCounts;
import io.ext3ns.stream.metrics.RtspStats;
import io.ext3ns.stream.net.Connection;
import io.ext3ns.stream.net.FrameChannel;
import io.ext3ns.stream.net.NioLoop;
import io.ext3ns.stream.net.Request;
import io.ext3ns.stream.net.Response;
import io.ext3ns.stream.rtp.RtcpReports;
import io.ext3ns.stream.rtp.RtpInfo;
import io.ext3ns.stream.send.InterleavedConnection;
import io.ext3ns.stream.send.RtcpPort;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.SessionState;
import io.ext3ns.stream.session.StreamSession;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.source.FsMediaSource;
import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.ts.NotMpegTsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RTSP 1.0 server state machine (RFC 2326): the methods, the session table and its limits and time-outs. Runs
 * on the event-loop thread only. Each session's RTP stream is a {@link StreamSession} of the streaming engine
 * (PCR pacing, RFC 2250 packets, RTCP, the fast and batched send paths); this class maps Range to byte offsets with
 * the file's {@link PcrIndex} and RTSP states to the stream's play/pause/stop. With a URL secret, DESCRIBE, SETUP
 * and PLAY need a valid signature in their URL's query (PLAY's must grant the title SETUP named), else 403.
 */
public final class RtspService implements RtspStats {
    private static final Logger LOG = LoggerFactory.getLogger(RtspService.class);
    static final String PROTOCOL = "RTSP/1.0";
    static final String PUBLIC = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER";

    private final RtspLimits config;
    private final FileSystem fs;
    private final ContentResolver resolver;
    private final PcrIndexCache indexes;
    private final StreamingEngine engine;
    /** The parameters GET_PARAMETER answers, by name: the composition root decides what the server exposes. */
    private final Map<String, Supplier<String>> parameters;
    private final Map<String, RtspSession> sessions = new HashMap<>();
    private final Map<InetAddress, Integer> sessionsPerClient = new HashMap<>();
    private final Map<Connection, FrameChannel> frameChannels = new HashMap<>();
    private final Map<Connection, InterleavedConnection> interleaved = new HashMap<>();
    /** UDP sessions by the client's RTCP address: a Receiver Report from there keeps the session alive. */
    private final Map<InetSocketAddress, RtspSession> rtcpPeers = new HashMap<>();
    /** RTCP channels registered with the loop (shared ones once); closed ones are dropped by the reaper. */
    private final java.util.Set<java.nio.channels.DatagramChannel> listened =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private NioLoop loop;
    private final SecureRandom random = new SecureRandom();
    private final RequestCounts requests = new RequestCounts(java.util.Set.of(PUBLIC.split(", ")));
    /**
     * Trick play's own threads (reading and assembling pictures; the key frames come with the seek index), apart
     * from the engine's unit readers; idle threads go after 30 s, so a server nobody trick-plays on has none.
     */
    private final java.util.concurrent.ThreadPoolExecutor trickIo;

    public RtspService(RtspLimits config, FileSystem fs, ContentResolver resolver, PcrIndexCache indexes,
                       StreamingEngine engine, Map<String, Supplier<String>> parameters) {
        this.config = config;
        this.fs = fs;
        this.resolver = resolver;
        this.indexes = indexes;
        this.engine = engine;
        this.parameters = Map.copyOf(parameters);
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.trickIo = new java.util.concurrent.ThreadPoolExecutor(2, 2, 30, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ext3ns-trick-" + n.getAndIncrement());
                    t.setDaemon(true);
                    return t;
                });
        trickIo.allowCoreThreadTimeOut(true);
    }

    /** The event loop this service runs on: it reads the RTCP ports of the sessions' streams. */
    public void useLoop(NioLoop loop) {
        this.loop = loop;
    }

    public int sessionCount() {
        return sessions.size();
    }

    /** Count of sessions whose stream is sending now. */
    @Override
    public int playingCount() {
        int n = 0;
        for (RtspSession s : sessions.values()) {
            if (s.stream.state() == io.ext3ns.stream.session.SessionState.PLAYING) {
                n++;
            }
        }
        return n;
    }

    /** Send paths in use, e.g. "udp-sendmsg-gather=980 tcp-interleaved=20". */
    public String pathsInUse() {
        StringBuilder b = new StringBuilder();
        sessionsByPath().forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return b.toString();
    }

    /** Sessions per send path (e.g. "udp-batched", "tcp-interleaved"), sorted by path. */
    @Override
    public Map<String, Integer> sessionsByPath() {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        for (RtspSession s : sessions.values()) {
            counts.merge(s.path, 1, Integer::sum);
        }
        return counts;
    }

    /** Requests answered so far, by method and status (thread-safe to read). */
    @Override
    public RequestCounts requestCounts() {
        return requests;
    }

    /**
     * Answers one request on {@code connection}; returns null when answered, or, when the answer needs a seek index
     * still being built, the build to wait for (then call again once it is done: the connection must not answer
     * later requests first). Interleaved frames are held back while the reply is made: a player reading a PLAY
     * reply skips frames that come before it, which would lose the stream's first packets (its PAT, PMT and the
     * first key frame's parameter sets).
     */
    CompletableFuture<?> serve(Connection connection, Request request) throws IOException {
        FrameChannel frames = frameChannels.get(connection);
        if (frames != null) {
            frames.hold(true);
        }
        try {
            Response response;
            try {
                response = handle(connection, request);
            } catch (IndexPending pending) {
                return pending.build;
            }
            requests.count(request.method(), response.status());
            connection.sendOwned(response.toBuffer());
            return null;
        } finally {
            if (frames != null) {
                frames.hold(false);
                // a frame held back meanwhile waits in the engine's writer: send it now, not at the next packet
                // (after a PAUSE there is none, and it would arrive after the next PLAY's RTP-Info)
                interleaved.get(connection).flushRest();
            }
        }
    }

    private Response handle(Connection connection, Request request) {
        String cseq = request.header("CSeq");
        Response response;
        try {
            if (!request.version().equals(PROTOCOL)) {
                throw new RtspException(505, "only RTSP/1.0 is spoken here");
            }
            if (cseq == null) {
                throw new RtspException(400, "request without CSeq");
            }
            response = dispatch(connection, request);
        } catch (RtspException e) {
            response = error(e.status(), e.getMessage());
        } catch (ContentException e) {
            // RTSP has no 502: an origin that cannot be reached is "503 Service Unavailable" to a player
            response = error(e.status() == 502 ? 503 : e.status(), e.getMessage());
        } catch (InvalidTransportStreamException | NotMpegTsException e) {
            response = error(415, e.getMessage());
        } catch (IndexPending pending) {
            throw pending;
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} {} failed", request.method(), request.target(), e);
            response = error(500, "internal error"); // the details are for the log, not the client
        }
        if (cseq != null) {
            response.header("CSeq", cseq);
        }
        return response;
    }

    static Response error(int status, String why) {
        return new Response(PROTOCOL, status).header("Server", "ext3ns").body("text/plain", why + "\r\n");
    }

    private Response dispatch(Connection c, Request r) throws RtspException, ContentException, IOException {
        String session = r.header("Session");
        if (session != null) { // RFC 2326 A.2: any request naming the session keeps it alive (OPTIONS, too)
            RtspSession s = sessions.get(sessionId(session));
            if (s != null) {
                s.lastActivityNanos = System.nanoTime();
            }
        }
        for (String h : new String[]{"Require", "Proxy-Require"}) {
            String options = r.header(h);
            if (options != null && !options.isBlank()) { // this server implements no option tags (RFC 2326 12.32)
                return error(551, "option not supported: " + options).header("Unsupported", options.trim());
            }
        }
        switch (r.method()) {
            case "OPTIONS":
                return ok().header("Public", PUBLIC);
            case "DESCRIBE":
                return describe(c, r);
            case "SETUP":
                return setup(c, r);
            case "PLAY":
                return playWithScale(r);
            case "PAUSE":
                return pause(r);
            case "TEARDOWN":
                return teardown(r);
            case "GET_PARAMETER":
                return getParameter(r);
            default:
                return error(501, "method not implemented: " + r.method()).header("Public", PUBLIC);
        }
    }

    private static Response ok() {
        return new Response(PROTOCOL, 200).header("Server", "ext3ns");
    }

    private Response describe(Connection c, Request r) throws RtspException, ContentException, IOException {
        RtspUrl url = RtspUrl.parse(r.target());
        authorize(ContentResolver.decode(url.contentPath()), url.query());
        ContentFile file = resolver.resolve(url.contentPath());
        PcrIndex index = indexNow(file);
        String host = c.local().getAddress().getHostAddress();
        return ok().header("Content-Base", url.contentBase())
                .body("application/sdp", Sdp.describe(file, index.endSeconds(), host, url.trackControl()));
    }

    private Response setup(Connection c, Request r) throws RtspException, ContentException, IOException {
        if (r.header("Session") != null) {
            RtspSession existing = session(r);
            throw new RtspException(459, "session " + existing.id + " already has its one stream set up");
        }
        RtspUrl url = RtspUrl.parse(r.target());
        String title = ContentResolver.decode(url.contentPath());
        authorize(title, url.query());
        TransportSpec transport = TransportSpec.parse(r.header("Transport"));
        InetAddress client = c.remote().getAddress();
        if (sessions.size() >= config.maxSessions()
                || sessionsPerClient.getOrDefault(client, 0) >= config.maxSessionsPerClient()) {
            throw new RtspException(453, "session limit reached");
        }
        ContentFile file = resolver.resolve(url.contentPath());
        PcrIndex index = indexNow(file);
        // a recording cut short plays its whole packets; the engine owns the source from here (closes it if refused)
        MediaSource source = WholePacketSource.of(new FsMediaSource(fs, file.path()));
        InetSocketAddress rtcpPeer = transport.tcp() ? null : new InetSocketAddress(client, transport.rtcpPort());
        StreamSession stream = transport.tcp()
                ? engine.openInterleaved(source, config.dataPath(), interleavedOf(c), channel(transport, true),
                channel(transport, false), config.sessionOptions())
                : engine.openUdp(source, config.dataPath(), new InetSocketAddress(client, transport.rtpPort()),
                rtcpPeer, config.sessionOptions());
        stream.holdAtEnd(); // an RTSP session outlives the end of its stream: PLAY again, or TEARDOWN
        listenRtcp(stream);
        String reply;
        String path;
        if (transport.tcp()) {
            reply = "RTP/AVP/TCP;unicast;interleaved=" + channel(transport, true) + "-" + channel(transport, false);
            path = "tcp-interleaved";
        } else {
            int serverPort;
            try {
                serverPort = stream.sink().localPort();
            } catch (IOException e) {
                stream.stop();
                throw e;
            }
            reply = "RTP/AVP;unicast;client_port=" + transport.rtpPort() + "-" + transport.rtcpPort()
                    + (serverPort > 0 ? ";server_port=" + serverPort + "-" + (serverPort + 1) : "");
            // the native paths are IPv4: an IPv6 client is served by the JDK's gathering sink
            path = client instanceof java.net.Inet4Address || config.dataPath() == DataPath.LEGACY
                    ? "udp-" + config.dataPath().name().toLowerCase(java.util.Locale.ROOT) : "udp-jdk-gathering";
        }
        reply += ";ssrc=" + String.format("%08X", stream.ssrc());
        String id = HexFormat.of().formatHex(randomBytes());
        String control = url.trackUrl();
        RtspSession session = new RtspSession(id, client, c, transport.tcp(), index, control, stream, path,
                file, System.nanoTime());
        session.title = title;
        sessions.put(id, session);
        sessionsPerClient.merge(client, 1, Integer::sum);
        if (rtcpPeer != null) {
            session.rtcpPeer = rtcpPeer;
            rtcpPeers.put(rtcpPeer, session);
        }
        SessionLog.event(session, "SETUP", "");
        stream.ended().thenAccept(end -> {
            if (end.state() == SessionState.FINISHED) {
                SessionLog.event(session, "END", "packets=" + end.packets() + " bytes=" + end.payloadBytes());
            }
        });
        return ok().header("Transport", reply).header("Session", sessionHeader(session));
    }

    /**
     * With a URL secret: the query's signature must grant {@code path} (URL-decoded) or a folder above it, else
     * 403, before the store is consulted (an unsigned client cannot tell which names exist).
     */
    private void authorize(String path, String query) throws RtspException {
        UrlSigner.Verdict verdict = config.access().authorize(path, query);
        if (verdict != UrlSigner.Verdict.GRANTED) {
            throw new RtspException(403, verdict.reason());
        }
    }

    /** Has the loop read the stream's RTCP port (server_port + 1), if it has one and the loop does not yet. */
    private void listenRtcp(StreamSession stream) {
        RtcpPort port = stream.sink().rtcpPort();
        if (port != null && loop != null && listened.add(port.channel())) {
            try {
                loop.listenDatagrams(port.channel(), this::rtcpReceived);
            } catch (IOException e) { // closed: the stream ended already; its reports no longer matter
                listened.remove(port.channel());
            }
        }
    }

    /**
     * On the loop thread: a datagram on an RTCP port. A Receiver (or Sender) Report from a session's client keeps
     * the session alive (RFC 2326 A.2), like a request: matched by the address it came from, or else by the SSRC it
     * reports on when it comes from the session's client host (some clients report from another port).
     */
    private void rtcpReceived(InetSocketAddress from, java.nio.ByteBuffer data) {
        int[] sources = RtcpReports.reportedSources(data);
        if (sources == null) {
            return;
        }
        RtspSession s = rtcpPeers.get(from);
        if (s == null && sources.length > 0) {
            for (RtspSession candidate : sessions.values()) {
                if (!candidate.interleaved && candidate.client.equals(from.getAddress())
                        && java.util.Arrays.stream(sources).anyMatch(x -> x == candidate.stream.ssrc())) {
                    s = candidate;
                    break;
                }
            }
        }
        if (s != null) {
            s.lastActivityNanos = System.nanoTime();
        }
    }

    /** The interleaved channel for RTP (or RTCP): as asked, else 0 and 1. */
    private static int channel(TransportSpec t, boolean rtp) {
        int first = t.rtpChannel() == TransportSpec.UNSET ? 0 : t.rtpChannel();
        if (rtp) {
            return first;
        }
        return t.rtcpChannel() == TransportSpec.UNSET ? first + 1 : t.rtcpChannel();
    }

    /**
     * The index of {@code file} if it is ready; otherwise {@link IndexPending}, and the request is answered again
     * when the scan ends (see {@link #serve}).
     */
    private PcrIndex indexNow(ContentFile file) throws IOException {
        CompletableFuture<PcrIndex> index = indexes.get(file);
        if (!index.isDone()) {
            throw new IndexPending(index);
        }
        try {
            return index.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** Thrown by a request that needs an index still being built; carries the build to wait for. */
    private static final class IndexPending extends RuntimeException {
        final CompletableFuture<?> build;

        IndexPending(CompletableFuture<?> build) {
            super(null, null, false, false);
            this.build = build;
        }
    }

    /** The engine's interleaved writer for connection {@code c}, made on its first TCP SETUP. */
    private InterleavedConnection interleavedOf(Connection c) {
        return interleaved.computeIfAbsent(c, k -> {
            FrameChannel frames = new FrameChannel(k);
            frameChannels.put(k, frames);
            return new InterleavedConnection(frames);
        });
    }

    private byte[] randomBytes() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return b;
    }

    private String sessionHeader(RtspSession s) {
        return s.id + ";timeout=" + config.sessionTimeout().toSeconds();
    }

    /** The session a request names; 454 if it names none we know, 455 if it names none at all. */
    private RtspSession session(Request r) throws RtspException {
        String header = r.header("Session");
        if (header == null) {
            throw new RtspException(455, r.method() + " before SETUP (no Session)");
        }
        String id = sessionId(header);
        RtspSession s = sessions.get(id);
        if (s == null) {
            throw new RtspException(454, "no session " + id);
        }
        s.lastActivityNanos = System.nanoTime();
        return s;
    }

    private static String sessionId(String header) {
        return header.split(";", 2)[0].trim();
    }

    /**
     * PLAY with its Scale (RFC 2326 12.34): none or 1 is normal play ({@link #play}); any other is trick play
     * ({@link #playTrick}) when the title has key frames to play, else normal play (the nearest scale we can do).
     * A Scale asked for is answered with the Scale used.
     */
    private Response playWithScale(Request r) throws RtspException, IOException {
        RtspSession s = session(r);
        if (config.access().signing()) {
            authorize(s.title, RtspUrl.parse(r.target()).query());
        }
        if (s.stream.state().terminal()) {
            throw new RtspException(455, "the stream has ended (" + s.stream.state() + "); SETUP again");
        }
        String asked = r.header("Scale");
        int scale = asked == null ? 1 : TrickScale.parse(asked);
        if (scale != 1) {
            KeyframeTable table = s.index.videoKeyframes();
            if (table.size() > 0) {
                return playTrick(s, r, scale, table);
            }
            scale = 1; // no video key frames: normal play is the nearest we can do
        }
        Response ok = play(s, r);
        return asked == null ? ok : ok.header("Scale", TrickScale.format(scale));
    }

    /**
     * Trick play: from the key frame at or before the Range start; else from where the stream is (forward from the
     * next key frame, backward from the last one at or before it); a new session, or one at its end, forward from
     * the start and backward from the end. Up to the Range end if given (for a negative Scale the end is the
     * smaller time: {@code npt=30-10}), else to the last (forward) or first (backward) key frame; then the stream
     * ends as at the end of the title (BYE, held for another PLAY).
     */
    private Response playTrick(RtspSession s, Request r, int scale, KeyframeTable table) throws RtspException {
        String range = r.header("Range");
        double start = range == null ? NptRange.NO_START : NptRange.startSeconds(range);
        double end = range == null ? NptRange.NO_END : NptRange.endSeconds(range);
        double duration = s.index.endSeconds();
        boolean forward = scale > 0;
        int first;
        if (start != NptRange.NO_START) {
            if (start > duration) {
                throw new RtspException(457, "Range starts after the end (" + duration + " s)");
            }
            first = table.atOrBefore(s.index.seekOffset(start));
        } else if (!s.started || s.stream.atEnd()) {
            first = forward ? 0 : table.size() - 1;
        } else {
            long at = s.stream.position();
            first = forward ? table.atOrAfter(at) : table.atOrBefore(at);
        }
        first = Math.max(0, Math.min(table.size() - 1, first));
        int limit = forward ? table.size() - 1 : 0;
        if (end != NptRange.NO_END) {
            if (start != NptRange.NO_START && (forward ? end <= start : end >= start)) {
                throw new RtspException(457, "Range ends " + (forward ? "before" : "after") + " it starts for Scale "
                        + scale + ": " + range);
            }
            limit = forward ? Math.max(first, table.atOrBefore(s.index.offsetAfter(end) - 1))
                    : Math.min(first, Math.max(0, table.atOrAfter(s.index.seekOffset(end))));
        }
        s.started = true;
        TrickPlayFeed feed = new TrickPlayFeed(s.stream.source(), table, engine.pool(), trickIo, first, scale, limit);
        RtpInfo info = s.stream.playTrick(feed, Math.abs(scale));
        double from = s.index.timeAt(table.offset(first)) / (double) PcrIndex.PCR_HZ;
        double to = end != NptRange.NO_END ? Math.min(end, duration) : forward ? duration : 0;
        SessionLog.event(s, "PLAY", String.format(java.util.Locale.ROOT, "from=%.3fs to=%.3fs scale=%d", from, to,
                scale));
        return ok().header("Session", sessionHeader(s))
                .header("Range", NptRange.format(from, to))
                .header("Scale", TrickScale.format(scale))
                .header("RTP-Info", info.header(s.controlUrl));
    }

    /**
     * PLAY: from the Range start (at the key frame before it), else from where the stream is, else (new, or
     * played to its end) from the beginning; up to the Range end if one is given, else to the end of the title.
     * After trick play, "where the stream is" is the key frame trick play got to.
     */
    private Response play(RtspSession s, Request r) throws RtspException {
        if (s.stream.state().terminal()) {
            throw new RtspException(455, "the stream has ended (" + s.stream.state() + "); SETUP again");
        }
        String range = r.header("Range");
        double start = range == null ? NptRange.NO_START : NptRange.startSeconds(range);
        double end = range == null ? NptRange.NO_END : NptRange.endSeconds(range);
        double duration = s.index.endSeconds();
        boolean atEnd = s.stream.atEnd();
        long seekOffset = -1;
        if (start != NptRange.NO_START) {
            if (start > duration) {
                throw new RtspException(457, "Range starts after the end (" + duration + " s)");
            }
            seekOffset = s.index.seekOffset(start);
        } else if (!s.started || atEnd) {
            seekOffset = 0; // a new session, or one played to its end: from the beginning
        }
        long stopOffset = Long.MAX_VALUE;
        if (end != NptRange.NO_END) {
            if (end <= Math.max(0, start)) {
                throw new RtspException(457, "Range ends before it starts: " + range);
            }
            stopOffset = s.index.offsetAfter(end);
            duration = Math.min(duration, end);
        }
        s.started = true;
        if (seekOffset == s.stream.position() && !atEnd) {
            seekOffset = -1; // already there: a seek would drop the units the stream has read ahead since SETUP
        }
        long from = seekOffset >= 0 ? seekOffset : s.stream.position();
        RtpInfo info = s.stream.play(seekOffset, stopOffset);
        double fromSeconds = s.index.timeAt(from) / (double) PcrIndex.PCR_HZ;
        SessionLog.event(s, "PLAY", String.format(java.util.Locale.ROOT, "from=%.3fs", fromSeconds)
                + (end == NptRange.NO_END ? "" : String.format(java.util.Locale.ROOT, " to=%.3fs", duration)));
        return ok().header("Session", sessionHeader(s))
                .header("Range", NptRange.format(fromSeconds, duration))
                .header("RTP-Info", info.header(s.controlUrl));
    }

    private Response pause(Request r) throws RtspException {
        RtspSession s = session(r);
        s.stream.pause();
        double at = s.index.timeAt(s.stream.position()) / (double) PcrIndex.PCR_HZ;
        SessionLog.event(s, "PAUSE", String.format(java.util.Locale.ROOT, "at=%.3fs", at));
        return ok().header("Session", sessionHeader(s)).header("Range", NptRange.format(at, s.index.endSeconds()));
    }

    private Response teardown(Request r) throws RtspException {
        RtspSession s = session(r);
        end(s, "TEARDOWN");
        return ok();
    }

    private Response getParameter(Request r) throws RtspException {
        RtspSession s = r.header("Session") == null ? null : session(r);
        String asked = new String(r.body(), StandardCharsets.UTF_8).trim();
        Response ok = ok();
        if (s != null) {
            ok.header("Session", sessionHeader(s));
        }
        if (asked.isEmpty()) {
            return ok;
        }
        Supplier<String> value = parameters.get(asked);
        if (value != null) {
            return ok.body("text/parameters", value.get());
        }
        throw new RtspException(451, "unknown parameter: " + asked);
    }

    /** Removes the session and stops its stream; {@code event} names why, for the log. */
    private void end(RtspSession s, String event) {
        if (sessions.remove(s.id) == null) {
            return;
        }
        SessionLog.event(s, event, SessionLog.sent(s));
        sessionsPerClient.computeIfPresent(s.client, (k, v) -> v > 1 ? v - 1 : null);
        if (s.rtcpPeer != null) {
            rtcpPeers.remove(s.rtcpPeer, s);
        }
        s.stream.stop();
    }

    /** Ends the sessions whose interleaved channels ran on {@code c}, which closed. */
    void connectionClosed(Connection c) {
        for (RtspSession s : new ArrayList<>(sessions.values())) {
            if (s.connection == c && s.interleaved) {
                end(s, "DISCONNECT");
            }
        }
        interleaved.remove(c);
        frameChannels.remove(c);
    }

    /** A client sent something on {@code c} (an interleaved RTCP report): its sessions are alive. */
    void touch(Connection c) {
        long now = System.nanoTime();
        for (RtspSession s : sessions.values()) {
            if (s.connection == c) {
                s.lastActivityNanos = now;
            }
        }
    }

    /**
     * Periodic: ends sessions that heard no request for the time-out (players send GET_PARAMETER or OPTIONS as
     * keep-alive; a vanished UDP client therefore goes after one time-out) and sessions whose stream failed.
     */
    public void reap() {
        long now = System.nanoTime();
        long timeout = config.sessionTimeout().toNanos();
        long unplayed = config.unplayedTimeout().toNanos();
        List<RtspSession> dead = new ArrayList<>();
        List<String> why = new ArrayList<>();
        for (RtspSession s : sessions.values()) {
            if (s.stream.state() == SessionState.FAILED) {
                dead.add(s);
                why.add("FAILED");
            } else if (now - s.lastActivityNanos > timeout) {
                dead.add(s);
                why.add("TIMEOUT");
            } else if (!s.started && now - s.createdNanos > unplayed) {
                dead.add(s); // set up and never played (a SETUP flood holds little)
                why.add("UNPLAYED");
            }
        }
        for (int i = 0; i < dead.size(); i++) {
            end(dead.get(i), why.get(i));
        }
        listened.removeIf(ch -> !ch.isOpen());
    }

    /** Ends every session (server shutdown). */
    public void closeAll() {
        for (RtspSession s : new ArrayList<>(sessions.values())) {
            end(s, "SHUTDOWN");
        }
        trickIo.shutdown(); // a picture being assembled finishes; its session gives its units back
    }
}
