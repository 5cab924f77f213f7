package io.ext3ns.stream.server;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.stream.content.ContentResolver;
import io.ext3ns.stream.content.MemberFiles;
import io.ext3ns.stream.http.HttpConnectionHandler;
import io.ext3ns.stream.http.PlaylistResponder;
import io.ext3ns.stream.http.WebApp;
import io.ext3ns.stream.index.PcrIndexCache;
import io.ext3ns.stream.metrics.MetricsSection;
import io.ext3ns.stream.metrics.RequestCounts;
import io.ext3ns.stream.metrics.ServerMetrics;
import io.ext3ns.stream.net.NioLoop;
import io.ext3ns.stream.net.RequestParser;
import io.ext3ns.fs.cache.LeaseTracing;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.rtsp.RtspConnectionHandler;
import io.ext3ns.stream.rtsp.RtspService;
import io.ext3ns.stream.session.EngineConfig;
import io.ext3ns.stream.session.LatenessHistogram;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.tls.PemCredentials;
import io.ext3ns.stream.web.TitleCatalog;
import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The RTSP and HTTP server over an open {@link FileSystem}: one event-loop thread for every control and download
 * connection, and a {@link StreamingEngine} (scheduler threads that pace and send every RTP stream, I/O threads
 * that read the pinned units). Start it with {@link #start(FileSystem, ServerConfig)} from any process that holds
 * the file system (ext3ns-serve, or the FUSE mount with -o rtsp=PORT,http=PORT); {@link #close()} stops it and
 * releases every session, socket, pinned unit and file handle, but leaves the file system open (its owner closes
 * it).
 */
public final class StreamingServer implements Closeable {
    /** The RTSP GET_PARAMETER name whose value is {@link #statsText()}. */
    public static final String STATS_PARAMETER = "ext3ns.stats";
    /** A connection idle for the session time-out plus this is closed. */
    private static final long IDLE_GRACE_NANOS = 5_000_000_000L;
    private final NioLoop loop;
    private final StreamingEngine engine;
    private final FileSystem fs; // its block cache's counters for the stats text
    private final RtspService rtsp;
    private final ExecutorService indexer;
    private final MemberFiles memberFiles = new MemberFiles();
    private final InetSocketAddress rtspAddress;
    private final InetSocketAddress httpAddress;
    private final InetSocketAddress httpsAddress;

    private StreamingServer(FileSystem fs, ServerConfig config, List<MetricsSection> extraMetrics) throws IOException {
        this.fs = fs;
        // a bad certificate or key fails here, before anything is started
        javax.net.ssl.SSLContext tls = config.https() == null ? null
                : PemCredentials.load(config.https().certificate(), config.https().key()).serverContext();
        UnitSize unit = UnitSize.forBlockSize(fs.blockSize());
        int units = (int) Math.min(Integer.MAX_VALUE, Math.max(4, config.poolBytes() / unit.bytes()));
        engine = new StreamingEngine(new EngineConfig(unit, units, config.schedulerThreads(), 2, true, null, true,
                LeaseTracing.NONE)); // its pool holds trick play's pictures; file data is in the fs's block cache
        ContentResolver resolver = new ContentResolver(fs);
        RequestParser parser = new RequestParser(config.maxRequestBytes(), config.maxHeaders());
        indexer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ext3ns-index");
            t.setDaemon(true);
            return t;
        });
        PcrIndexCache indexes = new PcrIndexCache(fs, indexer, 1024);
        rtsp = new RtspService(config, fs, resolver, indexes, engine, Map.of(STATS_PARAMETER, this::statsText));
        PlaylistResponder playlists = new PlaylistResponder(resolver, indexes, config.hlsSegment());
        WebApp web = new WebApp(new TitleCatalog(fs, indexes, indexer));
        RequestCounts httpRequests = new RequestCounts(HttpConnectionHandler.METHODS);
        ServerMetrics metrics = new ServerMetrics(engine, rtsp, httpRequests, fs, extraMetrics);
        int inputBytes = 2 * config.maxRequestBytes() + 4 + 65535; // a request, or one interleaved frame
        try {
            // idle: a control connection whose sessions time out is of no more use once they have
            loop = new NioLoop(config.maxConnections(), inputBytes, config.tcpQueueBytes(),
                    config.sessionTimeout().toNanos() + IDLE_GRACE_NANOS, config.maxConnectionsPerClient(),
                    config.headerTimeout().toNanos());
        } catch (IOException e) {
            closeEngine();
            throw e;
        }
        try {
            rtspAddress = config.rtspPort() == ServerConfig.DISABLED ? null
                    : loop.listen(new InetSocketAddress(config.bindAddress(), config.rtspPort()),
                    () -> new RtspConnectionHandler(rtsp, parser));
            httpAddress = config.httpPort() == ServerConfig.DISABLED ? null
                    : loop.listen(new InetSocketAddress(config.bindAddress(), config.httpPort()),
                    () -> new HttpConnectionHandler(fs, resolver, loop, parser, httpRequests,
                            metrics::scrape, config.access(), playlists, web, memberFiles));
            httpsAddress = tls == null ? null
                    : loop.listen(new InetSocketAddress(config.bindAddress(), config.https().port()),
                    () -> new HttpConnectionHandler(fs, resolver, loop, parser, httpRequests,
                            metrics::scrape, config.access(), playlists, web, null), tls);
        } catch (IOException e) {
            loop.close();
            closeEngine();
            throw e;
        }
        rtsp.useLoop(loop); // reads the clients' RTCP reports
        loop.addTicker(rtsp::reap);
        if (config.realtimePriority() > 0) {
            RealtimePacing pacing = new RealtimePacing(config.realtimePriority());
            RealtimePacing control = new RealtimePacing(Math.max(1, config.realtimePriority() - 1),
                    RealtimePacing.CONTROL_THREADS);
            pacing.apply();
            loop.addTicker(() -> { // the I/O pool starts its threads on demand; the loop's own thread starts below
                pacing.apply();
                control.apply();
            });
        }
        loop.start();
    }

    /** Starts serving {@code fs} as {@code config} says; the ports are bound when this returns. */
    public static StreamingServer start(FileSystem fs, ServerConfig config) throws IOException {
        return new StreamingServer(fs, config, List.of());
    }

    /** As {@link #start(FileSystem, ServerConfig)}, with metric families of the caller's in /metrics. */
    public static StreamingServer start(FileSystem fs, ServerConfig config, List<MetricsSection> extraMetrics)
            throws IOException {
        return new StreamingServer(fs, config, extraMetrics);
    }

    /** The RTSP port bound (useful with port 0), or -1 if RTSP is disabled. */
    public int rtspPort() {
        return rtspAddress == null ? -1 : rtspAddress.getPort();
    }

    /** The HTTP port bound, or -1 if HTTP is disabled. */
    public int httpPort() {
        return httpAddress == null ? -1 : httpAddress.getPort();
    }

    /** HTTP body bytes sent with sendfile from the member files (the rest went through pinned units). */
    public long sendfileBytes() {
        return memberFiles.sentBytes();
    }

    /** The HTTPS port bound, or -1 if HTTPS is off. */
    public int httpsPort() {
        return httpsAddress == null ? -1 : httpsAddress.getPort();
    }

    /**
     * The server's statistics (RTSP GET_PARAMETER with body {@value #STATS_PARAMETER}; the load generator in bench/
     * reads them): sessions, paced packets and
     * their lateness against the PCR schedule (100 µs histogram, "bucket:count" for non-empty buckets), CPU of the
     * server's threads (event loop, schedulers, I/O) and of the whole process, and the send paths in use. Counters
     * are cumulative; readers take differences.
     */
    public String statsText() {
        long[] hist = engine.latenessSnapshot();
        long total = 0;
        StringBuilder buckets = new StringBuilder();
        for (int i = 0; i < hist.length; i++) {
            total += hist[i];
            if (hist[i] != 0) {
                buckets.append(buckets.length() == 0 ? "" : ",").append(i).append(':').append(hist[i]);
            }
        }
        long processCpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            processCpu = os.getProcessCpuTime();
        }
        io.ext3ns.fs.api.BlockCacheStats blockCache = fs.blockCacheStats() != null ? fs.blockCacheStats()
                : new io.ext3ns.fs.api.BlockCacheStats(0, 0, 0, 0);
        return String.format(Locale.ROOT,
                "sessions: %d\r\nplaying: %d\r\npackets: %d\r\nwithin_5ms: %d\r\nbucket_us: %d\r\n"
                        + "lateness_hist: %s\r\nscheduler_cpu_ns: %d\r\nserver_cpu_ns: %d\r\nprocess_cpu_ns: %d\r\n"
                        + "paths: %s\r\ngso: %s\r\nunit_reads: %d\r\nshared_hits: %d\r\nclock_ns: %d\r\n"
                        + "scheduler_alloc_bytes: %d\r\n",
                rtsp.sessionCount(), rtsp.playingCount(), total, LatenessHistogram.countWithin(hist, 5000),
                LatenessHistogram.BUCKET_MICROS, buckets, engine.schedulerCpuNanos(), serverThreadsCpuNanos(),
                processCpu, rtsp.pathsInUse(), gso(), blockCache.misses(), blockCache.hits(),
                System.nanoTime(), engine.schedulerAllocatedBytes());
    }

    private String gso() {
        try {
            return String.valueOf(engine.gsoActive());
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** CPU of every thread the server runs (names start with "ext3ns-"): what a stream costs the server. */
    private static long serverThreadsCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("ext3ns-")) {
                long t = mx.getThreadCpuTime(info.getThreadId());
                if (t > 0) {
                    sum += t;
                }
            }
        }
        return sum;
    }

    @Override
    public void close() throws IOException {
        try {
            loop.execute(rtsp::closeAll);
            loop.close();
        } finally {
            closeEngine();
        }
    }

    private void closeEngine() {
        indexer.shutdownNow();
        try {
            memberFiles.close();
        } catch (IOException e) {
            // closing read-only channels: nothing was written through them
        }
        try {
            engine.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
