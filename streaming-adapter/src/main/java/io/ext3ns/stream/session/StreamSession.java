package io.ext3ns.stream.session;

import io.ext3ns.stream.feed.Payload;
import io.ext3ns.stream.feed.PayloadFeed;
import io.ext3ns.stream.feed.TimedPayloadFeed;
import io.ext3ns.stream.rtp.RtcpSenderReport;
import io.ext3ns.stream.rtp.RtpHeader;
import io.ext3ns.stream.rtp.RtpInfo;
import io.ext3ns.stream.send.PacketBurst;
import io.ext3ns.stream.send.RtpSink;
import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.ts.PcrClock;
import io.ext3ns.stream.ts.TsPacket;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RTP stream of one MPEG-TS file to one client: RFC 2250 packets (7 TS packets, PT 33, 90 kHz timestamps)
 * paced from the file's PCRs, with RTCP Sender Reports. This is the object the RTSP server drives:
 *
 * <pre>
 *   StreamSession s = engine.openUdp(source, DataPath.BATCHED, clientRtp, clientRtcp, SessionOptions.defaults());
 *   RtpInfo info = s.play(byteOffset);   // PLAY (Range mapped to a byte offset by the server's index); -1 = here
 *   s.pause();                           // PAUSE
 *   info = s.play(-1);                   // PLAY again: resume where paused
 *   s.stop();                            // TEARDOWN
 *   s.ended().thenAccept(end -> ...);    // end of file, error or stop
 * </pre>
 *
 * <p>All public methods are thread-safe and never block on I/O: the session runs on a {@link StreamScheduler}
 * thread, file data is read on I/O threads. The session owns its sink and source and closes them when it ends.
 *
 * <p>Pacing: every payload is due at the media time of its last TS packet ({@link PcrClock}) divided by
 * {@link SessionOptions#speed()}, counted from the PLAY; so the schedule is never ahead of a PCR. Timing: the RTP
 * timestamp is that media time in 90 kHz units; the first packet after PLAY carries exactly the
 * {@link RtpInfo#rtpTime()} PLAY returned, and sequence numbers run on across PAUSE and seeks.
 *
 * <p>Trick play: {@link #playTrick} sends from another feed for a while (RTSP Scale), one that times its payloads
 * itself ({@link TimedPayloadFeed}) at {@code rate} times real time; the next {@link #play} returns to the file
 * where that feed is. Sequence numbers and RTP time run on across the switches.
 */
public final class StreamSession implements Schedulable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long UNSET = Long.MIN_VALUE;
    /** 27 MHz PCR ticks per 90 kHz RTP tick. */
    private static final int PCR_PER_RTP_TICK = 300;
    /**
     * The RTCP BYE at the end leaves this long after the last packet's due time (or after it left, if later):
     * players stop at the BYE, and ffmpeg and mpv read a waiting RTCP datagram before the RTP datagrams queued on
     * their other socket, so a BYE sent with the final burst overtook the last packets of a busy player.
     */
    static final long BYE_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How often a held session tries again to send its BYE while the sink is full. */
    private static final long BYE_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final MediaSource source;
    private final PayloadFeed feed;
    /** What is being sent: {@link #feed}, or a trick play feed (then {@link #timed} is the same object). */
    private PayloadFeed active;
    private TimedPayloadFeed timed;
    /** Media time per wall-clock time on top of the options' speed: |Scale| in trick play, else 1. */
    private double rate = 1.0;
    /** Completes when every trick play feed closed so far has finished its reads and given back its units. */
    private CompletableFuture<Void> retiredFeeds = CompletableFuture.completedFuture(null);
    private final RtpSink sink;
    private final StreamScheduler scheduler;
    private final SessionOptions options;
    private final int ssrc;
    private final AtomicLong ticket = new AtomicLong();
    private final CompletableFuture<SessionEnd> ended = new CompletableFuture<>();
    private final PacketBurst burst = new PacketBurst();
    private final Payload payload = new Payload();

    private SessionState state = SessionState.READY;
    private PcrClock clock = new PcrClock();
    private boolean havePending;
    private long pendingMediaTime;
    private long anchorWall;
    private long anchorMediaTime;
    private int nextSequence;
    private long rtpAnchorValue;
    private long rtpAnchorMediaTime = UNSET;
    private long lastSentRtp = UNSET;
    private long lastSentMediaTime;
    private boolean seekedSinceLastSend;
    private long nextRtcp;
    private long packets;
    private long payloadBytes;
    private SessionEnd end;
    private long stopOffset = Long.MAX_VALUE; // the payload starting at or after this byte is not sent
    private boolean holdAtEnd; // at the end: BYE, then wait (paused) for a PLAY instead of finishing
    private boolean atEnd; // held at the end (or at the stop offset) after the BYE
    private boolean draining; // everything is sent; the BYE is due at byeAt
    private long byeAt;

    StreamSession(MediaSource source, PayloadFeed feed, RtpSink sink, StreamScheduler scheduler,
                  SessionOptions options) {
        this.source = source;
        this.feed = feed;
        this.active = feed;
        this.sink = sink;
        this.scheduler = scheduler;
        this.options = options;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        this.ssrc = random.nextInt();
        this.nextSequence = random.nextInt(1 << 16);   // RFC 3550: random initial sequence and timestamp
        this.rtpAnchorValue = random.nextInt() & 0xffffffffL;
    }

    /**
     * Starts or resumes sending. With {@code byteOffset >= 0} the session first seeks there (rounded down to a TS
     * packet boundary); with -1 it continues where it was (the start of the file for a new session). Returns the
     * sequence number and RTP timestamp of the first packet it will send, for RTP-Info.
     *
     * @throws IllegalStateException when the session has ended
     */
    public RtpInfo play(long byteOffset) {
        return play(byteOffset, Long.MAX_VALUE);
    }

    /**
     * {@link #play(long)} up to {@code stopOffset}: the payloads starting before that byte are sent, then the stream
     * ends as at the end of the file (RTSP PLAY's Range end). A session {@linkplain #holdAtEnd() held at its end}
     * starts again from the beginning when played without an offset.
     */
    public RtpInfo play(long byteOffset, long stopOffset) {
        RtpInfo info;
        synchronized (this) {
            checkNotEnded();
            if (byteOffset < 0 && atEnd) {
                byteOffset = 0; // replay: PLAY after the end starts over
            }
            if (timed != null) { // back from trick play: on in the file where it got to
                long reached = active.position();
                endTrickLocked();
                if (byteOffset < 0) {
                    byteOffset = reached;
                }
            }
            if (byteOffset >= 0) {
                seekLocked(byteOffset - byteOffset % TsPacket.SIZE);
            }
            this.stopOffset = stopOffset;
            atEnd = false;
            draining = false;
            info = restartLocked();
            state = SessionState.PLAYING;
        }
        scheduler.schedule(this, System.nanoTime());
        return info;
    }

    /**
     * Starts or resumes sending {@code trick}'s payloads (RTSP PLAY with a Scale other than 1), paced at
     * {@code rate} times real time on the feed's own media time; the session owns the feed from here and closes it
     * at the next {@link #play}, {@code playTrick}, at the end or at {@link #stop()}. At the feed's end the session
     * ends as at the end of the file. Returns the RTP-Info of the first packet.
     *
     * @throws IllegalStateException when the session has ended (the feed is closed)
     */
    public RtpInfo playTrick(TimedPayloadFeed trick, double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            trick.close();
            throw new IllegalArgumentException("rate must be a positive finite number: " + rate);
        }
        RtpInfo info;
        synchronized (this) {
            if (state.terminal()) {
                trick.close();
                checkNotEnded();
            }
            if (timed != null) {
                endTrickLocked();
            }
            seekLocked(source.size()); // the file's units are not needed meanwhile
            active = trick;
            timed = trick;
            this.rate = rate;
            stopOffset = Long.MAX_VALUE;
            atEnd = false;
            draining = false;
            info = restartLocked();
            state = SessionState.PLAYING;
        }
        scheduler.schedule(this, System.nanoTime());
        return info;
    }

    /** Closes the trick play feed and goes back to the file's (positioned by the caller). */
    private void endTrickLocked() {
        burst.clear();
        havePending = false;
        timed.close();
        retiredFeeds = CompletableFuture.allOf(retiredFeeds, timed.quiesced());
        active = feed;
        timed = null;
        rate = 1.0;
        seekedSinceLastSend = true;
    }

    /**
     * Stops sending but keeps the position; {@link #play(long)} resumes. No effect unless playing. As with
     * {@link #stop()}, packets the batched path already queued in the current scheduler round still leave.
     */
    public synchronized void pause() {
        if (state == SessionState.PLAYING) {
            state = SessionState.PAUSED;
        }
    }

    /**
     * Ends the session (RTSP TEARDOWN): no packet is queued after this returns (on the batched path, packets queued
     * in the scheduler's current round still leave with it); an RTCP BYE goes out, every pinned unit is released and
     * sink and source are closed on the scheduler thread right after; {@link #ended()} completes then.
     */
    public void stop() {
        synchronized (this) {
            if (state.terminal()) {
                return;
            }
            state = SessionState.STOPPED;
        }
        scheduler.runOnThread(() -> {
            synchronized (this) {
                endLocked(SessionState.STOPPED, null);
            }
        });
    }

    /**
     * At the end of the file (or of a PLAY's range) the session sends its BYE and then waits, paused, for another
     * PLAY (which starts over) or {@link #stop()}, keeping its sink, source and sequence numbers: RTSP sessions live
     * until TEARDOWN, and a player may play a title again. Without this the session finishes there.
     */
    public synchronized void holdAtEnd() {
        holdAtEnd = true;
    }

    /** True while held at the end (see {@link #holdAtEnd()}), after the BYE. */
    public synchronized boolean atEnd() {
        return atEnd;
    }

    public synchronized SessionState state() {
        return state;
    }

    /** What RTP-Info would say now: the next packet's sequence number and RTP timestamp. */
    public synchronized RtpInfo rtpInfo() {
        if (burst.pending() > 0) {
            int at = burst.sent() * RtpHeader.SIZE;
            return new RtpInfo(RtpHeader.sequence(burst.headers(), at),
                    RtpHeader.timestamp(burst.headers(), at) & 0xffffffffL);
        }
        long rtp = rtpAnchorMediaTime == UNSET ? rtpAnchorValue : rtpOf(nextMediaTime());
        return new RtpInfo(nextSequence, rtp & 0xffffffffL);
    }

    public int ssrc() {
        return ssrc;
    }

    /** Byte offset of the next payload to send. */
    public synchronized long position() {
        return active.position();
    }

    public synchronized long packetsSent() {
        return packets;
    }

    public RtpSink sink() {
        return sink;
    }

    public MediaSource source() {
        return source;
    }

    /**
     * Completes when the session has ended — end of file, {@link #stop()}, or an error — and released everything:
     * its pinned units are back in the pool, sink and source are closed.
     */
    public CompletableFuture<SessionEnd> ended() {
        return ended;
    }

    // ---- scheduler side ----

    @Override
    public synchronized long service(long now) {
        return state == SessionState.PLAYING ? serviceLocked(now) : IDLE;
    }

    private long serviceLocked(long now) {
        try {
            if (burst.pending() > 0) {
                sink.send(burst);
                if (burst.pending() > 0) {
                    return now + RETRY_NANOS; // congested: the sink counted it
                }
            }
            burst.clear();
            if (options.rtcpIntervalNanos() > 0 && now - nextRtcp >= 0) {
                sendSenderReport(now, false);
                nextRtcp = now + options.rtcpIntervalNanos();
            }
            if (draining) {
                return draining(now);
            }
            return fillAndSend(now);
        } catch (RuntimeException | IOException e) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            LOG.warn("session {} on {} failed: {}", Integer.toHexString(ssrc), source.name(), cause.toString());
            endLocked(SessionState.FAILED, cause);
            return IDLE;
        }
    }

    private long fillAndSend(long now) throws IOException {
        long horizon = now + options.burstWindowNanos();
        long next = now;
        boolean waiting = false;
        boolean finished = false;
        while (burst.count() < options.maxBurst()) {
            if (!havePending) {
                if (active.position() >= stopOffset) {
                    finished = true;
                    break;
                }
                int r = active.peek(payload);
                if (r == PayloadFeed.NOT_READY) {
                    waiting = true;
                    break;
                }
                if (r == PayloadFeed.END) {
                    finished = true;
                    break;
                }
                pendingMediaTime = mediaTimeOf(payload);
                havePending = true;
            }
            if (options.paced()) {
                long due = dueOf(pendingMediaTime);
                if (due - horizon > 0) {
                    next = due;
                    break;
                }
                scheduler.lateness().record(now - due);
            }
            addPending();
        }
        if (burst.count() > 0) {
            sink.send(burst);
            if (burst.pending() > 0) {
                return now + RETRY_NANOS;
            }
        }
        if (finished) {
            burst.clear();
            draining = true;
            // after the last packet's due time, and (UDP) a margin after it actually left: over TCP the BYE is
            // behind the packets on the same ordered stream, so it cannot overtake them and needs no margin
            long margin = sink.rtcpPort() != null ? BYE_MARGIN_NANOS : 0;
            byeAt = options.paced() ? Math.max(now, dueOf(lastSentMediaTime)) + margin : now;
            return draining(now);
        }
        if (waiting) {
            active.readiness().whenComplete((r, e) -> scheduler.schedule(this, System.nanoTime()));
            return IDLE;
        }
        return next;
    }

    private long draining(long now) throws IOException {
        return now - byeAt >= 0 ? reachEnd(now) : byeAt;
    }

    /** Everything is sent and the margin has passed: finish, or (held) send the BYE and wait for a PLAY. */
    private long reachEnd(long now) throws IOException {
        if (!holdAtEnd) {
            draining = false;
            endLocked(SessionState.FINISHED, null);
            return IDLE;
        }
        if (options.rtcpIntervalNanos() > 0 && !sendSenderReport(now, true)) {
            return now + BYE_RETRY_NANOS; // full (a TCP client behind in reading): players wait for this BYE
        }
        draining = false;
        atEnd = true;
        state = SessionState.PAUSED;
        if (timed != null) {
            endTrickLocked();
        }
        seekLocked(source.size()); // lets go of the units until a PLAY
        return IDLE;
    }

    private void addPending() {
        long rtp = rtpOf(pendingMediaTime);
        burst.add(nextSequence, (int) rtp, ssrc, payload);
        nextSequence = (nextSequence + 1) & 0xffff;
        lastSentRtp = rtp;
        lastSentMediaTime = pendingMediaTime;
        seekedSinceLastSend = false;
        packets++;
        payloadBytes += payload.bytes();
        active.advance();
        havePending = false;
    }

    /** Feeds the payload's TS packets to the PCR clock; the payload is due at its last packet's media time. */
    private long mediaTimeOf(Payload p) {
        if (timed != null) {
            return timed.peekedMediaTime();
        }
        long t = 0;
        int n = p.tsPackets();
        for (int k = 0; k < n; k++) {
            var buf = p.tsPacket(k);
            int at = p.tsIndex();
            t = clock.next(TsPacket.pid(buf, at), TsPacket.pcr(buf, at));
        }
        return t;
    }

    private long dueOf(long mediaTime) {
        double nanos = (mediaTime - anchorMediaTime) * (1e9 / TsPacket.PCR_HZ) / (options.speed() * rate);
        return anchorWall + (long) nanos;
    }

    private long rtpOf(long mediaTime) {
        if (rtpAnchorMediaTime == UNSET) {
            rtpAnchorMediaTime = mediaTime;
        }
        return (rtpAnchorValue + (mediaTime - rtpAnchorMediaTime) / PCR_PER_RTP_TICK) & 0xffffffffL;
    }

    /** Media time of the next payload as far as known without reading ahead. */
    private long nextMediaTime() {
        if (havePending) {
            return pendingMediaTime;
        }
        return timed != null ? timed.nextMediaTime() : clock.lastTime();
    }

    private void seekLocked(long offset) {
        burst.clear();
        active.seek(offset);
        clock = new PcrClock();
        havePending = false;
        seekedSinceLastSend = true;
    }

    /** Re-anchors wall clock and RTP time at a PLAY; returns the RTP-Info of the first packet to go out. */
    private RtpInfo restartLocked() {
        long now = System.nanoTime();
        anchorWall = now;
        anchorMediaTime = nextMediaTime();
        nextRtcp = now;
        if (burst.pending() > 0) {
            return rtpInfo();
        }
        if (lastSentRtp != UNSET) {
            long step = seekedSinceLastSend ? 1 : (nextMediaTime() - lastSentMediaTime) / PCR_PER_RTP_TICK;
            rtpAnchorValue = (lastSentRtp + Math.max(0, step)) & 0xffffffffL;
        }
        rtpAnchorMediaTime = UNSET;
        return new RtpInfo(nextSequence, rtpAnchorValue);
    }

    /** Sends a Sender Report (with BYE if asked); false if the sink was full. */
    private boolean sendSenderReport(long now, boolean bye) throws IOException {
        long rtpNow;
        if (rtpAnchorMediaTime == UNSET || !options.paced()) {
            rtpNow = lastSentRtp == UNSET ? rtpAnchorValue : lastSentRtp;
        } else {
            long mediaNow = anchorMediaTime
                    + (long) ((now - anchorWall) * options.speed() * rate * TsPacket.PCR_HZ / 1e9);
            rtpNow = rtpOf(mediaNow);
        }
        Instant wall = Instant.now();
        long wallNanos = wall.getEpochSecond() * 1_000_000_000L + wall.getNano();
        return sink.sendRtcp(RtcpSenderReport.build(ssrc, wallNanos, (int) rtpNow, packets, payloadBytes,
                options.cname(), bye));
    }

    /** Final state, last RTCP, releases. Runs on the scheduler thread, which owns the sink. */
    private void endLocked(SessionState how, Throwable error) {
        if (end != null) {
            return;
        }
        state = how;
        try {
            if (how != SessionState.FAILED && options.rtcpIntervalNanos() > 0) {
                sendSenderReport(System.nanoTime(), true);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("final RTCP BYE not sent: {}", e.toString());
        }
        burst.clear();
        if (timed != null) {
            endTrickLocked();
        }
        feed.close();
        closeQuietly(sink);
        end = new SessionEnd(how, error, packets, payloadBytes);
        SessionEnd result = end;
        // a read this session started may be serving other sessions of the same title: close the source after it;
        // ended() completes once every unit is back in the pool (and never under this session's lock)
        CompletableFuture.allOf(feed.quiesced(), retiredFeeds).whenCompleteAsync((v, e) -> {
            closeQuietly(source);
            ended.complete(result);
        });
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }

    private void checkNotEnded() {
        if (state.terminal()) {
            throw new IllegalStateException("session " + Integer.toHexString(ssrc) + " has ended (" + state + ")");
        }
    }

    @Override
    public long bumpTicket() {
        return ticket.incrementAndGet();
    }

    @Override
    public long ticket() {
        return ticket.get();
    }

    @Override
    public String toString() {
        return "StreamSession[" + Integer.toHexString(ssrc) + " " + source.name() + " -> " + sink.describe() + "]";
    }
}
