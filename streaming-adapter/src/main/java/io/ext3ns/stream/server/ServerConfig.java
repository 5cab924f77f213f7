package io.ext3ns.stream.server;

import io.ext3ns.stream.access.AccessPolicy;
import io.ext3ns.stream.access.CorsPolicy;
import io.ext3ns.stream.access.UrlSecret;
import io.ext3ns.stream.rtsp.RtspLimits;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.SessionOptions;
import java.net.InetAddress;
import java.time.Duration;

/**
 * How a {@link StreamingServer} listens, what it allows and how its streaming engine is sized. A port of 0 picks an
 * ephemeral port, -1 disables that protocol. The limits bound what one client can make the server hold: request
 * bytes and header lines before a request is refused, sessions per client address and in total, connections, and
 * how long a session lives without a request. {@code dataPath} is the send path of UDP sessions (TCP-interleaved
 * ones use the fast path); {@code schedulerThreads} pace and send every stream; {@code poolBytes} of pinned units
 * hold the file data being sent (each playing stream holds about two units, fewer when viewers share a title).
 * {@code realtimePriority} above 0 runs the engine's pacing and I/O threads SCHED_FIFO at that priority (see
 * RealtimePacing; 0, the default, leaves them to the normal scheduler). {@code sendWindow}: packets due within it
 * leave together (longer GSO bursts, fewer wake-ups; a packet leaves at most that much before its PCR time; see
 * {@link io.ext3ns.stream.session.SessionOptions#burstWindowNanos()}). {@code access}: CORS and signed URLs (see
 * docs/server.md, "Access control"; {@link AccessPolicy#OPEN} by default). {@code hlsSegment}: the HLS segment
 * target. {@code https}: HTTP over TLS on a port of its own, or null (off, the default); plain HTTP stays on
 * {@code httpPort} either way.
 */
public record ServerConfig(InetAddress bindAddress, int rtspPort, int httpPort, int maxRequestBytes, int maxHeaders,
                           int maxSessionsPerClient, int maxSessions, int maxConnections, Duration sessionTimeout,
                           DataPath dataPath, int schedulerThreads, long poolBytes, int tcpQueueBytes,
                           int realtimePriority, Duration sendWindow, int maxConnectionsPerClient,
                           Duration headerTimeout, AccessPolicy access, Duration hlsSegment, Https https)
        implements RtspLimits {

    public static final int DISABLED = -1;
    /** The HTTPS port when a certificate is given and no port. */
    public static final int DEFAULT_HTTPS_PORT = 8443;

    /**
     * HTTPS: the port (0 ephemeral) and the PEM files of the certificate chain and its PKCS#8 key (see
     * {@link io.ext3ns.stream.tls.PemCredentials}); read and checked when the server starts.
     */
    public record Https(int port, java.nio.file.Path certificate, java.nio.file.Path key) {
        public Https {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("HTTPS port must be 0..65535: " + port);
            }
            if (certificate == null || key == null) {
                throw new IllegalArgumentException("HTTPS needs both a certificate (tls-cert) and a key (tls-key)");
            }
        }
    }
    /** Connections one client address may hold (a player needs one or two). */
    public static final int DEFAULT_CONNECTIONS_PER_CLIENT = 128;
    /** Time a client has to send a whole request head, from its first byte or from connecting (nginx: 60 s). */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(20);
    /** Target duration of HLS media segments (cut at the key frame nearest to it). */
    public static final Duration DEFAULT_HLS_SEGMENT = Duration.ofSeconds(6);
    /** A session never played ends after this (or the session time-out, if shorter): SETUP floods hold little. */
    public static final Duration UNPLAYED_TIMEOUT = Duration.ofSeconds(10);

    public ServerConfig {
        if (rtspPort < DISABLED || rtspPort > 65535 || httpPort < DISABLED || httpPort > 65535) {
            throw new IllegalArgumentException("ports must be 0..65535, or -1 to disable");
        }
        if (maxRequestBytes < 256 || maxRequestBytes > (1 << 20) || maxHeaders < 4 || maxSessionsPerClient < 1
                || maxSessions < 1 || maxConnections < 1 || schedulerThreads < 1 || schedulerThreads > 64
                || poolBytes < (2 << 20) || tcpQueueBytes < 4096 || realtimePriority < 0 || realtimePriority > 99) {
            throw new IllegalArgumentException("server limits out of range");
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException("session timeout must be positive");
        }
        if (maxConnectionsPerClient < 1) {
            throw new IllegalArgumentException("connections per client must be at least 1");
        }
        if (headerTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("header timeout must be at least 1 s: " + headerTimeout);
        }
        if (access == null) {
            throw new IllegalArgumentException("access policy missing (AccessPolicy.OPEN for none)");
        }
        if (hlsSegment.compareTo(Duration.ofSeconds(1)) < 0 || hlsSegment.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("HLS segment target must be 1..60 s: " + hlsSegment);
        }
        if (sendWindow.isNegative() || sendWindow.compareTo(Duration.ofMillis(100)) > 0) {
            throw new IllegalArgumentException("send window must be 0..100 ms: " + sendWindow);
        }
    }

    /**
     * Loopback, ephemeral ports, the batched send path, one scheduler thread per core, 1 GiB of pinned units and
     * limits sized for a few thousand streams.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(InetAddress.getLoopbackAddress(), 0, 0, 16 * 1024, 64, 2000, 4000, 6000,
                Duration.ofSeconds(60), DataPath.BATCHED, Math.max(1, Runtime.getRuntime().availableProcessors()),
                1L << 30, 2 << 20, 0, Duration.ofNanos(SessionOptions.defaults().burstWindowNanos()),
                DEFAULT_CONNECTIONS_PER_CLIENT, DEFAULT_HEADER_TIMEOUT, AccessPolicy.OPEN, DEFAULT_HLS_SEGMENT, null);
    }

    /**
     * The configuration a mount asks for with {@code -o rtsp=PORT,http=PORT[,bind=ADDR][,cors_origin=ORIGIN]
     * [,url_secret=FILE][,pool=SIZE][,hls_segment=SECONDS]} (what
     * {@code mount.ext3ns} passes to its streaming extension): an absent protocol is disabled, the address defaults
     * to all interfaces. Throws IllegalArgumentException naming a bad value.
     */
    public static ServerConfig fromMountOptions(java.util.Map<String, String> options) {
        try {
            InetAddress bind = InetAddress.getByName(options.getOrDefault("bind", "0.0.0.0"));
            ServerConfig d = defaults();
            return d.withBindAddress(bind).withPorts(port(options, "rtsp"), port(options, "http"))
                    .withEngine(d.dataPath(), d.schedulerThreads(), poolSize(options, d.poolBytes()))
                    .withHttps(https(port(options, "https"), options.get("tls_cert"), options.get("tls_key")))
                    .withConnectionLimits(d.maxConnections(),
                            positive(options, "max_conn_per_client", d.maxConnectionsPerClient()),
                            Duration.ofSeconds(positive(options, "header_timeout",
                                    (int) d.headerTimeout().toSeconds())))
                    .withAccess(access(options))
                    .withHlsSegment(Duration.ofSeconds(positive(options, "hls_segment",
                            (int) d.hlsSegment().toSeconds())));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("bind: unknown address " + options.get("bind"), e);
        }
    }

    /** Mount option keys {@link #fromMountOptions} reads. */
    public static final java.util.Set<String> MOUNT_OPTION_KEYS = java.util.Set.of("rtsp", "http", "bind",
            "max_conn_per_client", "header_timeout", "cors_origin", "url_secret", "pool", "hls_segment",
            "https", "tls_cert", "tls_key");

    /** cors_origin=ORIGIN|* and url_secret=FILE; a bad origin or secret file fails the mount, naming it. */
    private static AccessPolicy access(java.util.Map<String, String> options) {
        AccessPolicy access = AccessPolicy.OPEN;
        try {
            access = access.withCors(CorsPolicy.parse(options.get("cors_origin")));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cors_origin=" + options.get("cors_origin") + ": " + e.getMessage(), e);
        }
        String secret = options.get("url_secret");
        if (secret != null) {
            try {
                access = access.withSigner(UrlSecret.read(java.nio.file.Path.of(secret)));
            } catch (java.io.IOException | java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("url_secret=" + secret + ": " + e.getMessage(), e);
            }
        }
        return access;
    }

    /** The pinned pool a mount asks for with {@code pool=SIZE} (2M at least), or {@code otherwise}. */
    private static long poolSize(java.util.Map<String, String> options, long otherwise) {
        String value = options.get("pool");
        if (value == null) {
            return otherwise;
        }
        long bytes;
        try {
            bytes = io.ext3ns.fs.util.SizeParser.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("pool=" + value + ": " + e.getMessage(), e);
        }
        if (bytes < (2 << 20)) {
            throw new IllegalArgumentException("pool=" + value + ": the pinned pool needs at least 2M");
        }
        return bytes;
    }

    private static int positive(java.util.Map<String, String> options, String key, int otherwise) {
        String value = options.get(key);
        if (value == null) {
            return otherwise;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + value + ": not a positive number");
        }
    }

    private static int port(java.util.Map<String, String> options, String key) {
        String value = options.get(key);
        if (value == null) {
            return DISABLED;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + "=" + value + ": not a port number (0..65535)");
        }
    }

    public ServerConfig withPorts(int rtsp, int http) {
        return new ServerConfig(bindAddress, rtsp, http, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                realtimePriority, sendWindow,
                maxConnectionsPerClient, headerTimeout, access, hlsSegment, https);
    }

    /** Serves HTTP over TLS on {@code https}'s port as well (null: no HTTPS). */
    public ServerConfig withHttps(Https https) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                realtimePriority, sendWindow, maxConnectionsPerClient, headerTimeout, access, hlsSegment, https);
    }

    /**
     * The HTTPS settings of the command-line or mount options: none when neither file is named; with both, the
     * port given or {@link #DEFAULT_HTTPS_PORT}; one file without the other, or a port without files, is an error.
     */
    public static Https https(int port, String certificate, String key) {
        boolean cert = certificate != null && !certificate.isBlank();
        boolean k = key != null && !key.isBlank();
        if (!cert && !k) {
            if (port != DISABLED) {
                throw new IllegalArgumentException("an HTTPS port needs --tls-cert and --tls-key (tls_cert=, tls_key=)");
            }
            return null;
        }
        if (!cert || !k) {
            throw new IllegalArgumentException(cert ? "a TLS certificate without a key: give --tls-key (tls_key=)"
                    : "a TLS key without a certificate: give --tls-cert (tls_cert=)");
        }
        return new Https(port == DISABLED ? DEFAULT_HTTPS_PORT : port, java.nio.file.Path.of(certificate),
                java.nio.file.Path.of(key));
    }

    public ServerConfig withBindAddress(InetAddress address) {
        return new ServerConfig(address, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                realtimePriority, sendWindow,
                maxConnectionsPerClient, headerTimeout, access, hlsSegment, https);
    }

    public ServerConfig withSessionLimits(int perClient, int total, Duration timeout) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, perClient, total,
                maxConnections, timeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes, realtimePriority,
                sendWindow,
                maxConnectionsPerClient, headerTimeout, access, hlsSegment, https);
    }

    /** Runs pacing and I/O threads SCHED_FIFO at {@code priority} (1..99), or normally (0). */
    public ServerConfig withRealtimePriority(int priority) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                priority, sendWindow,
                maxConnectionsPerClient, headerTimeout, access, hlsSegment, https);
    }

    public ServerConfig withEngine(DataPath path, int schedulers, long pool) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, path, schedulers, pool, tcpQueueBytes, realtimePriority,
                sendWindow,
                maxConnectionsPerClient, headerTimeout, access, hlsSegment, https);
    }

    /** Packets due within {@code window} of each other leave together (0..100 ms). */
    public ServerConfig withSendWindow(Duration window) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                realtimePriority, window,
                maxConnectionsPerClient, headerTimeout, access, hlsSegment, https);
    }

    /** Limits on the connections of one client address and on the time to send a request head. */
    public ServerConfig withConnectionLimits(int total, int perClient, Duration headTimeout) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, total, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                realtimePriority, sendWindow, perClient, headTimeout, access, hlsSegment, https);
    }

    /** CORS headers and URL signing ({@link AccessPolicy#OPEN}: neither). */
    public ServerConfig withAccess(AccessPolicy policy) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                realtimePriority, sendWindow, maxConnectionsPerClient, headerTimeout, policy, hlsSegment, https);
    }

    /** HLS media segments of about {@code target} (1..60 s; cut at key frames). */
    public ServerConfig withHlsSegment(Duration target) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes,
                realtimePriority, sendWindow, maxConnectionsPerClient, headerTimeout, access, target, https);
    }

    /** How long a session set up but never played lives: {@link #UNPLAYED_TIMEOUT}, or the time-out if shorter. */
    @Override
    public Duration unplayedTimeout() {
        return sessionTimeout.compareTo(UNPLAYED_TIMEOUT) < 0 ? sessionTimeout : UNPLAYED_TIMEOUT;
    }

    /** The session options every stream of this server plays with. */
    @Override
    public SessionOptions sessionOptions() {
        return SessionOptions.defaults().withBurstWindow(sendWindow.toNanos());
    }
}
