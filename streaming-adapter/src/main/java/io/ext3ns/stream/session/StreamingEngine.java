package io.ext3ns.stream.session;

import io.ext3ns.stream.feed.LegacyHeapFeed;
import io.ext3ns.stream.feed.PayloadFeed;
import io.ext3ns.stream.feed.PinnedUnitFeed;
import io.ext3ns.fs.cache.PinnedBufferPool;
import io.ext3ns.stream.send.BatchedUdpSender;
import io.ext3ns.stream.send.BatchedUdpSink;
import io.ext3ns.stream.send.CopyingUdpSink;
import io.ext3ns.stream.send.GatheringUdpSink;
import io.ext3ns.stream.send.InterleavedConnection;
import io.ext3ns.stream.send.NativeGatheringUdpSink;
import io.ext3ns.stream.send.RtpSink;
import io.ext3ns.stream.send.SendTotals;
import io.ext3ns.stream.send.TcpInterleavedSink;
import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.ts.TsSourceCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The streaming data path as one object: the scheduler threads and a pinned pool for trick play's assembled
 * pictures (file data comes as leases on the file system's block cache, read by its read-ahead pool). The RTSP/HTTP server opens one engine per process and a {@link StreamSession} per RTP stream:
 * <ul>
 *   <li>{@link #openUdp} — RTP/AVP over UDP unicast, on the chosen {@link DataPath};</li>
 *   <li>{@link #openInterleaved} — RTP/AVP/TCP interleaved on the RTSP connection;</li>
 *   <li>{@link #open} — any other {@link RtpSink}.</li>
 * </ul>
 * A source that is not MPEG-TS (or has no PCR to pace by) is refused at open with
 * {@link io.ext3ns.stream.ts.NotMpegTsException}. The engine takes ownership of the source and sink passed to an
 * open method: the session closes them when it ends, and a refused open closes them at once. Thread-safe.
 */
public final class StreamingEngine implements AutoCloseable {
    private final EngineConfig config;
    private final PinnedBufferPool pool;
    private final StreamScheduler[] schedulers;
    private final BatchedUdpSender[] batched;
    private final AtomicInteger nextScheduler = new AtomicInteger();
    private final Set<StreamSession> live = ConcurrentHashMap.newKeySet();
    /** Guards moving an ended session's counters into {@link #retired}, so {@link #sendTotals} never goes back. */
    private final Object sendCounters = new Object();
    private SendTotals retired = SendTotals.ZERO;

    public StreamingEngine(EngineConfig config) {
        this(config, new PinnedBufferPool(config.unitSize(), config.poolUnits(), config.lockMemory(),
                config.tracing()));
    }

    /**
     * An engine whose trick play assembles pictures in {@code pool} (which it then owns and closes); the config's
     * pool sizing is not used.
     */
    public StreamingEngine(EngineConfig config, PinnedBufferPool pool) {
        if (pool.unitSize() != config.unitSize()) {
            throw new IllegalArgumentException("the pool's units are not the config's unit size");
        }
        this.config = config;
        this.pool = pool;
        this.schedulers = new StreamScheduler[config.schedulerThreads()];
        this.batched = new BatchedUdpSender[schedulers.length];
        for (int i = 0; i < schedulers.length; i++) {
            schedulers[i] = new StreamScheduler("ext3ns-stream-" + i);
        }
    }

    /**
     * A session sending RTP to {@code rtp} (and RTCP to {@code rtcp}, null for none) over UDP unicast.
     * FAST and LEGACY use one connected socket per session; BATCHED shares the scheduler thread's native socket
     * (see {@link #batchedPort}).
     */
    public StreamSession openUdp(MediaSource source, DataPath path, InetSocketAddress rtp, InetSocketAddress rtcp,
                                 SessionOptions options) throws IOException {
        int s = pickScheduler();
        RtpSink sink;
        try {
            sink = udpSink(s, path, rtp, rtcp);
        } catch (IOException | RuntimeException e) {
            source.close(); // the engine owns the source: a refused open closes it
            throw e;
        }
        return openOn(s, source, path, sink, options);
    }

    private RtpSink udpSink(int s, DataPath path, InetSocketAddress rtp, InetSocketAddress rtcp) throws IOException {
        return switch (path) {
            case LEGACY -> new CopyingUdpSink(rtp, rtcp);
            // the native paths speak IPv4 only: an IPv6 client gets the JDK's gathering path
            case FAST -> NativeGatheringUdpSink.supports(rtp, rtcp) ? new NativeGatheringUdpSink(rtp, rtcp)
                    : new GatheringUdpSink(rtp, rtcp);
            case BATCHED -> NativeGatheringUdpSink.supports(rtp, rtcp)
                    ? new BatchedUdpSink(batchedSender(s), rtp, rtcp) : new GatheringUdpSink(rtp, rtcp);
        };
    }

    /**
     * A session sending over the RTSP connection, interleaved on {@code rtpChannel} (RTCP on {@code rtcpChannel},
     * -1 for none). BATCHED is not available over TCP and is served as FAST.
     */
    public StreamSession openInterleaved(MediaSource source, DataPath path, InterleavedConnection connection,
                                         int rtpChannel, int rtcpChannel, SessionOptions options) throws IOException {
        DataPath feedPath = path == DataPath.BATCHED ? DataPath.FAST : path;
        TcpInterleavedSink sink;
        try {
            sink = new TcpInterleavedSink(connection, rtpChannel, rtcpChannel);
        } catch (RuntimeException e) {
            source.close(); // the engine owns the source: a refused open closes it
            throw e;
        }
        return open(source, feedPath, sink, options);
    }

    /** A session on any sink; {@code path} selects the read side (LEGACY: heap reads; FAST/BATCHED: pinned units). */
    public StreamSession open(MediaSource source, DataPath path, RtpSink sink, SessionOptions options)
            throws IOException {
        return openOn(pickScheduler(), source, path, sink, options);
    }

    private StreamSession openOn(int s, MediaSource source, DataPath path, RtpSink sink, SessionOptions options)
            throws IOException {
        try {
            TsSourceCheck.check(source, options.paced());
            PayloadFeed feed = path == DataPath.LEGACY ? new LegacyHeapFeed(source, 0)
                    : new PinnedUnitFeed(source, 0);
            StreamSession session = new StreamSession(source, feed, sink, schedulers[s], options);
            live.add(session);
            session.ended().whenComplete((e, t) -> retire(session));
            return session;
        } catch (IOException | RuntimeException e) {
            sink.close();
            source.close();
            throw e;
        }
    }

    /** The local UDP port batched sessions on scheduler thread {@code index} send from (RTSP server_port). */
    public int batchedPort(int index) throws IOException {
        return batchedSender(index).localPort();
    }

    /** Whether the batched path currently uses UDP GSO (false: kernel lacks it, or it was refused). */
    public boolean gsoActive() throws IOException {
        return batchedSender(0).gsoActive();
    }

    private synchronized BatchedUdpSender batchedSender(int index) throws IOException {
        if (batched[index] == null) {
            InetSocketAddress base = config.batchedLocal();
            InetSocketAddress local = base == null ? null : base.getPort() == 0 ? base
                    : new InetSocketAddress(base.getAddress(), base.getPort() + 2 * index);
            batched[index] = new BatchedUdpSender(local, config.gso());
            schedulers[index].addSender(batched[index]);
        }
        return batched[index];
    }

    private int pickScheduler() {
        return Math.floorMod(nextScheduler.getAndIncrement(), schedulers.length);
    }

    public PinnedBufferPool pool() {
        return pool;
    }

    /** Lateness of every paced packet sent so far, summed over the scheduler threads (see LatenessHistogram). */
    public long[] latenessSnapshot() {
        long[] sums = new long[LatenessHistogram.BUCKETS];
        for (StreamScheduler s : schedulers) {
            s.lateness().addTo(sums);
        }
        return sums;
    }

    /** CPU nanoseconds the scheduler threads have used (-1 if unknown). */
    public long schedulerCpuNanos() {
        return sumOverSchedulers(StreamScheduler::cpuNanos);
    }

    /** Heap bytes the scheduler threads have allocated (-1 if unknown): flat while sessions only stream. */
    public long schedulerAllocatedBytes() {
        return sumOverSchedulers(StreamScheduler::allocatedBytes);
    }

    private long sumOverSchedulers(java.util.function.ToLongFunction<StreamScheduler> counter) {
        long sum = 0;
        for (StreamScheduler s : schedulers) {
            long t = counter.applyAsLong(s);
            if (t < 0) {
                return -1;
            }
            sum += t;
        }
        return sum;
    }

    private void retire(StreamSession session) {
        synchronized (sendCounters) {
            retired = retired.plus(SendTotals.of(session.sink().stats()));
            live.remove(session);
        }
    }

    /** What every session's sink has sent since the engine started, ended sessions included (cumulative). */
    public SendTotals sendTotals() {
        synchronized (sendCounters) {
            SendTotals sum = retired;
            for (StreamSession s : live) {
                sum = sum.plus(SendTotals.of(s.sink().stats()));
            }
            return sum;
        }
    }

    /** Sessions not yet ended. */
    public int liveSessions() {
        return live.size();
    }

    /** Stops every session, waits for their release, stops the threads, reports pool leaks and closes. */
    @Override
    public void close() throws InterruptedException {
        List<StreamSession> sessions = new ArrayList<>(live);
        for (StreamSession s : sessions) {
            s.stop();
        }
        for (StreamSession s : sessions) {
            try {
                s.ended().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // reported as a leak below if it kept units
            }
        }
        for (int i = 0; i < schedulers.length; i++) {
            schedulers[i].close();
            if (batched[i] != null) {
                batched[i].close(); // its thread has ended: safe to touch from here
            }
        }
        pool.close();
    }
}
