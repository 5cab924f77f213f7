package io.ext3ns.stream.server;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What mount.ext3ns -o rtsp=PORT,http=PORT[,bind=ADDR] turns into. */
class ServerConfigTest {
    @Test
    void mountOptionsEnableOnlyTheProtocolsGiven() {
        ServerConfig both = ServerConfig.fromMountOptions(Map.of("rtsp", "8554", "http", "8080"));
        assertEquals(8554, both.rtspPort());
        assertEquals(8080, both.httpPort());
        assertEquals("0.0.0.0", both.bindAddress().getHostAddress());
        ServerConfig rtspOnly = ServerConfig.fromMountOptions(Map.of("rtsp", "0", "bind", "127.0.0.1"));
        assertEquals(0, rtspOnly.rtspPort());
        assertEquals(ServerConfig.DISABLED, rtspOnly.httpPort());
        assertEquals("127.0.0.1", rtspOnly.bindAddress().getHostAddress());
    }

    @Test
    void badValuesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("rtsp", "70000")));
        assertEquals("rtsp=70000: not a port number (0..65535)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromMountOptions(Map.of("http", "x")));
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("rtsp", "1", "bind", "no.such.host.invalid")));
    }

    @Test
    void hlsSegmentTarget() {
        assertEquals(java.time.Duration.ofSeconds(6), ServerConfig.defaults().hlsSegment());
        assertEquals(java.time.Duration.ofSeconds(4),
                ServerConfig.fromMountOptions(Map.of("http", "0", "hls_segment", "4")).hlsSegment());
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("http", "0", "hls_segment", "61")));
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("http", "0", "hls_segment", "0")));
        assertTrue(ServerConfig.MOUNT_OPTION_KEYS.contains("hls_segment"));
    }

    @Test
    void connectionLimitsAndTheHeadDeadlineComeFromTheMountOptions() {
        ServerConfig d = ServerConfig.fromMountOptions(Map.of("rtsp", "0"));
        assertEquals(ServerConfig.DEFAULT_CONNECTIONS_PER_CLIENT, d.maxConnectionsPerClient());
        assertEquals(ServerConfig.DEFAULT_HEADER_TIMEOUT, d.headerTimeout());
        ServerConfig set = ServerConfig.fromMountOptions(Map.of("rtsp", "0", "header_timeout", "7",
                "max_conn_per_client", "16"));
        assertEquals(java.time.Duration.ofSeconds(7), set.headerTimeout());
        assertEquals(16, set.maxConnectionsPerClient());
        assertEquals("header_timeout=0: not a positive number", assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("header_timeout", "0"))).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("max_conn_per_client", "many")));
        // a session never played ends after 10 s, or the session time-out if that is shorter
        assertEquals(java.time.Duration.ofSeconds(10), d.unplayedTimeout());
        assertEquals(java.time.Duration.ofSeconds(4),
                d.withSessionLimits(1, 1, java.time.Duration.ofSeconds(4)).unplayedTimeout());
    }
}
