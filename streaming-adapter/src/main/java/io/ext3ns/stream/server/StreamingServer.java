package io.ext3ns.stream.server;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.stream.http.HttpConnectionHandler;
import io.ext3ns.stream.index.PcrIndexCache;
import io.ext3ns.stream.rtsp.RtspConnectionHandler;
import io.ext3ns.stream.rtsp.RtspService;

import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * The RTSP and HTTP server over an open {@link FileSystem}: one event-loop thread for every control and download
 * connection, {@link ServerConfig#pacerThreads()} pacer threads for every RTP stream. Start it with
 * {@link #start(FileSystem, ServerConfig)} from any process that holds the file system (ext3ns-serve, or the FUSE
 * mount with -o rtsp=PORT,http=PORT); {@link #close()} stops it and releases every session, socket and file
 * handle, but leaves the file system open (its owner closes it).
 */
public final class StreamingServer implements Closeable {
    private final NioLoop loop;
    private final Pacer pacer;
    private final RtspService rtsp;
    private final ChunkSource chunks;
    private final InetSocketAddress rtspAddress;
    private final InetSocketAddress httpAddress;

    private StreamingServer(FileSystem fs, ServerConfig config) throws IOException {
        ContentResolver resolver = new ContentResolver(fs);
        chunks = new ChunkSource(fs, config.chunkCacheBytes());
        pacer = new Pacer(config.pacerThreads());
        RequestParser parser = new RequestParser(config.maxRequestBytes(), config.maxHeaders());
        rtsp = new RtspService(config, resolver, chunks, new PcrIndexCache(1024), pacer, this::statsText);
        int inputBytes = 2 * config.maxRequestBytes() + 4 + 65535; // a request, or one interleaved frame
        loop = new NioLoop(config.maxConnections(), inputBytes, config.tcpQueueBytes());
        try {
            rtspAddress = config.rtspPort() == ServerConfig.DISABLED ? null
                    : loop.listen(new InetSocketAddress(config.bindAddress(), config.rtspPort()),
                    () -> new RtspConnectionHandler(rtsp, parser));
            httpAddress = config.httpPort() == ServerConfig.DISABLED ? null
                    : loop.listen(new InetSocketAddress(config.bindAddress(), config.httpPort()),
                    () -> new HttpConnectionHandler(resolver, chunks, parser));
        } catch (IOException e) {
            loop.close();
            pacer.close();
            throw e;
        }
        loop.addTicker(rtsp::reap);
        loop.start();
    }

    /** Starts serving {@code fs} as {@code config} says; the ports are bound when this returns. */
    public static StreamingServer start(FileSystem fs, ServerConfig config) throws IOException {
        return new StreamingServer(fs, config);
    }

    /** The RTSP port bound (useful with port 0), or -1 if RTSP is disabled. */
    public int rtspPort() {
        return rtspAddress == null ? -1 : rtspAddress.getPort();
    }

    /** The HTTP port bound, or -1 if HTTP is disabled. */
    public int httpPort() {
        return httpAddress == null ? -1 : httpAddress.getPort();
    }

    /**
     * The statistics the shooter reads (GET_PARAMETER ext3ns.stats): sessions, packets, per-packet lateness
     * against the PCR schedule (a 100 µs histogram, "i:count" for non-empty buckets), CPU of the pacer threads and
     * of the process, and the send paths in use. Counters are cumulative; readers take differences.
     */
    public String statsText() {
        long[] hist = pacer.latenessSnapshot();
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
        return String.format(Locale.ROOT,
                "sessions: %d\r\nplaying: %d\r\npackets: %d\r\nwithin_5ms: %d\r\nbucket_us: %d\r\n"
                        + "lateness_hist: %s\r\npacer_threads: %d\r\npacer_cpu_ns: %d\r\nprocess_cpu_ns: %d\r\n"
                        + "paths: %s\r\nchunk_hits: %d\r\nchunk_misses: %d\r\n",
                rtsp.sessionCount(), rtsp.playingCount(), total, LatenessHistogram.countWithin(hist, 5000),
                LatenessHistogram.BUCKET_MICROS, buckets, pacer.threads(), pacer.cpuNanos(), processCpu,
                rtsp.pathsInUse(), chunks.hits(), chunks.misses());
    }

    @Override
    public void close() throws IOException {
        try {
            loop.execute(rtsp::closeAll);
            loop.close();
        } finally {
            pacer.close();
        }
    }
}
