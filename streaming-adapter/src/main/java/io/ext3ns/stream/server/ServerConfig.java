package io.ext3ns.stream.server;

import java.net.InetAddress;
import java.time.Duration;

/**
 * How a {@link StreamingServer} listens and what it allows. A port of 0 picks an ephemeral port, -1 disables that
 * protocol. The limits bound what one client can make the server hold: request bytes and header lines before a
 * request is refused, sessions per client address and in total, and how long a session lives without a request
 * or RTCP report.
 */
public record ServerConfig(InetAddress bindAddress, int rtspPort, int httpPort, int maxRequestBytes, int maxHeaders,
                           int maxSessionsPerClient, int maxSessions, int maxConnections, Duration sessionTimeout,
                           int pacerThreads, long chunkCacheBytes, int tcpQueueBytes) {

    public static final int DISABLED = -1;

    public ServerConfig {
        if (rtspPort < DISABLED || rtspPort > 65535 || httpPort < DISABLED || httpPort > 65535) {
            throw new IllegalArgumentException("ports must be 0..65535, or -1 to disable");
        }
        if (maxRequestBytes < 256 || maxHeaders < 4 || maxSessionsPerClient < 1 || maxSessions < 1
                || maxConnections < 1 || pacerThreads < 1 || chunkCacheBytes < 0 || tcpQueueBytes < 4096) {
            throw new IllegalArgumentException("server limits out of range");
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero()) {
            throw new IllegalArgumentException("session timeout must be positive");
        }
    }

    /** Loopback, ephemeral ports, limits sized for a few thousand streams on a small machine. */
    public static ServerConfig defaults() {
        return new ServerConfig(InetAddress.getLoopbackAddress(), 0, 0, 16 * 1024, 64, 2000, 4000, 6000,
                Duration.ofSeconds(60), Math.max(1, Runtime.getRuntime().availableProcessors()),
                256L << 20, 2 << 20);
    }

    public ServerConfig withPorts(int rtsp, int http) {
        return new ServerConfig(bindAddress, rtsp, http, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, pacerThreads, chunkCacheBytes, tcpQueueBytes);
    }

    public ServerConfig withBindAddress(InetAddress address) {
        return new ServerConfig(address, rtspPort, httpPort, maxRequestBytes, maxHeaders, maxSessionsPerClient,
                maxSessions, maxConnections, sessionTimeout, pacerThreads, chunkCacheBytes, tcpQueueBytes);
    }

    public ServerConfig withSessionLimits(int perClient, int total, Duration timeout) {
        return new ServerConfig(bindAddress, rtspPort, httpPort, maxRequestBytes, maxHeaders, perClient, total,
                maxConnections, timeout, pacerThreads, chunkCacheBytes, tcpQueueBytes);
    }
}
