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
        assertEquals(1L << 30, d.poolBytes(), "1 GiB of pinned units unless pool= says otherwise");
        assertEquals(64L << 20, ServerConfig.fromMountOptions(Map.of("http", "0", "pool", "64M")).poolBytes());
        assertEquals("pool=1M: the pinned pool needs at least 2M", assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("pool", "1M"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("pool", "lots"))).getMessage().startsWith("pool=lots: "));
                // a session never played ends after 10 s, or the session time-out if that is shorter
        assertEquals(java.time.Duration.ofSeconds(10), d.unplayedTimeout());
        assertEquals(java.time.Duration.ofSeconds(4),
                d.withSessionLimits(1, 1, java.time.Duration.ofSeconds(4)).unplayedTimeout());
    }

    @Test
    void corsOriginAndUrlSecretComeFromTheMountOptions(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ServerConfig open = ServerConfig.fromMountOptions(Map.of("http", "0"));
        assertEquals(io.ext3ns.stream.access.AccessPolicy.OPEN, open.access());
        java.nio.file.Path secret = dir.resolve("url.secret");
        java.nio.file.Files.writeString(secret, "0123456789abcdefghij\n");
        java.nio.file.Files.setPosixFilePermissions(secret,
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        ServerConfig set = ServerConfig.fromMountOptions(Map.of("http", "0", "cors_origin", "*",
                "url_secret", secret.toString()));
        assertEquals("*", set.access().cors().spec());
        assertEquals(io.ext3ns.stream.access.UrlSigner.Verdict.MISSING, set.access().authorize("/a.ts", null));
        java.nio.file.Path empty = dir.resolve("empty.secret");
        java.nio.file.Files.createFile(empty);
        String message = assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromMountOptions(
                Map.of("url_secret", empty.toString()))).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(message.startsWith("url_secret=" + empty + ": URL secret "
                + empty + ": empty"), message);
        message = assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromMountOptions(
                Map.of("cors_origin", "https://a.example/"))).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(message.startsWith("cors_origin=https://a.example/: "), message);
    }

    @Test
    void httpsComesFromTheMountOptionsWithBothFiles() {
        assertEquals(null, ServerConfig.fromMountOptions(Map.of("http", "8080")).https());
        ServerConfig tls = ServerConfig.fromMountOptions(Map.of("http", "8080", "tls_cert", "/c.pem",
                "tls_key", "/k.pem"));
        assertEquals(ServerConfig.DEFAULT_HTTPS_PORT, tls.https().port());
        assertEquals(java.nio.file.Path.of("/c.pem"), tls.https().certificate());
        assertEquals(0, ServerConfig.fromMountOptions(Map.of("https", "0", "tls_cert", "/c.pem", "tls_key", "/k.pem"))
                .https().port());
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.fromMountOptions(Map.of("http", "8080", "tls_cert", "/c.pem")));
        assertEquals("a TLS certificate without a key: give --tls-key (tls_key=)", noKey.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromMountOptions(Map.of("https", "8443")));
        assertThrows(IllegalArgumentException.class, () -> ServerConfig.fromMountOptions(Map.of("https", "x",
                "tls_cert", "/c.pem", "tls_key", "/k.pem")));
    }
}
