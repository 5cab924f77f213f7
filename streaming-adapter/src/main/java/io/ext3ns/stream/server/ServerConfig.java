package io.ext3ns.stream.server;

import io.ext3ns.stream.session.DataPath;

import java.net.InetAddress;
import java.time.Duration;

/**
 * How a {@link StreamingServer} listens, what it allows and how its streaming engine is sized. A port of 0 picks an
 * ephemeral port, -1 disables that protocol. The limits bound what one client can make the server hold: request
 * bytes and header lines before a request is refused, sessions per client address and in total, connections, and
 * how long a session lives without a request. {@code dataPath} is the send path of UDP sessions (TCP-interleaved
 * ones use the fast path); {@code schedulerThreads} pace and send every stream; {@code poolBytes} of pinned units
 * hold the file data being sent (each playing stream holds about two units, fewer when viewers share a title).
 */
public record ServerConfig(InetAddress bindAddress, int rtspPort, int httpPort, int maxRequestBytes, int maxHeaders,
                           int maxSessionsPerClient, int maxSessions, int maxConnections, Duration sessionTimeout,
                           DataPath dataPath, int schedulerThreads, long poolBytes, int tcpQueueBytes) {

    public static final int DISABLED = -1;

    public ServerConfig {
        if (rtspPort < DISABLED || rtspPort > 65535 || httpPort < DISABLED || httpPort > 65535) {
            throw new IllegalArgumentException("ports must be 0..65535, or -1 to disable");
        }
        if (maxRequestBytes < 256 || maxRequestBytes > (1 << 20) || maxHeaders < 4 || maxSessionsPerClient < 1
                || maxSessions < 1 || maxConnections < 1 || schedulerThreads < 1 || schedulerThreads > 64
                || poolBytes < (2 << 20) || tcpQueueBytes < 4096) {
            throw new IllegalArgumentException("server limits out of range");
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException("session timeout must be positive");
        }
    }

    /**
     * Loopback, ephemeral ports, the batched send path, one scheduler thread per core, 1 GiB of pinned units and
     * limits sized for a few thousand streams.
     */
    public static ServerConfig defaults() {
        return new ServerConfig(InetAddress.getLoopbackAddress(), 0, 0, 16 * 1024, 64, 2000, 4000, 6000,
                Duration.ofSeconds(60), DataPath.BATCHED, Math.max(1, Runtime.getRuntime().availableProcessors()),
                1L << 30, 2 << 20);
    }

    public ServerConfig withPorts(int rtsp, int http) {
        return new ServerConfig(bindAddress, rtsp, http, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes);
    }

    public ServerConfig withBindAddress(InetAddress address) {
        return new ServerConfig(address, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes);
    }

    public ServerConfig withSessionLimits(int perClient, int total, Duration timeout) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, perClient, total,
                maxConnections, timeout, dataPath, schedulerThreads, poolBytes, tcpQueueBytes);
    }

    public ServerConfig withEngine(DataPath path, int schedulers, long pool) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, path, schedulers, pool, tcpQueueBytes);
    }
}
