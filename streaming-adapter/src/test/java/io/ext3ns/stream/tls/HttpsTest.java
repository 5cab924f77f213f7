package io.ext3ns.stream.tls;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testing.Processes;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS (issue 19): certificates made by openssl at test time, curl and ffprobe as the clients, a JSSE socket for
 * pipelining. A whole 20 MiB body md5-equal, two ranges over one kept-alive connection, HEAD, pipelined requests
 * answered in order, ffprobe reading the TS over https, an EC certificate, plain HTTP on the TLS port closed, and
 * bad key files refused at start with a message saying what is wrong.
 */
class HttpsTest {
    private static Path dir;
    private static byte[] data;
    private static byte[] ts;
    private static TestStore store;
    private static StreamingServer server;

    @BeforeAll
    static void start() throws Exception {
        dir = TestAsset.scratch("https");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa-key.pem", "-out", "rsa-cert.pem",
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "ec-key.pem", "-out", "ec-cert.pem", "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1");
        data = new byte[20 << 20]; // many units: the body crosses unit and record boundaries
        new Random(19).nextBytes(data);
        ts = Files.readAllBytes(TestAsset.ts());
        store = TestStore.create(dir, 96L << 20);
        store.addFile("/big.bin", data);
        store.addFile("/asset.ts", ts);
        store.sync();
        server = StreamingServer.start(store.fs(), ServerConfig.defaults().withEngine(DataPath.BATCHED, 1, 32L << 20)
                .withHttps(new ServerConfig.Https(0, dir.resolve("rsa-cert.pem"), dir.resolve("rsa-key.pem"))));
    }

    @AfterAll
    static void stop() throws Exception {
        try (TestStore s = store; StreamingServer a = server) {
            // both closed
        }
    }

    private static void openssl(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile()).start();
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("openssl failed: " + command + "\n" + Files.readString(dir.resolve("openssl.log")));
        }
    }

    private static String url(String path) {
        return "https://localhost:" + server.httpsPort() + path;
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    @Test
    void wholeBodyOverTls() throws Exception {
        Path out = dir.resolve("whole.bin");
        Processes.run(List.of("curl", "-sS", "--fail", "--cacert", dir.resolve("rsa-cert.pem").toString(),
                "-o", out.toString(), url("/big.bin")), 120);
        assertEquals(md5(data), md5(Files.readAllBytes(out)));
    }

    @Test
    void twoRangesOverOneKeptAliveConnection() throws Exception {
        Path a = dir.resolve("range-a.bin");
        Path b = dir.resolve("range-b.bin");
        // curl's -v output goes to stderr: run it so that stderr is captured
        Path log = dir.resolve("curl-ranges.log");
        Process p = new ProcessBuilder("curl", "-sS", "-v", "--fail", "--cacert",
                dir.resolve("rsa-cert.pem").toString(), "-r", "100-2097251", "-o", a.toString(), url("/big.bin"),
                "--next", "--cacert", dir.resolve("rsa-cert.pem").toString(), "-r", "15000000-17097151", "-o",
                b.toString(), url("/big.bin"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "curl finished");
        String verbose = Files.readString(log);
        assertEquals(0, p.exitValue(), verbose);
        assertTrue(verbose.contains("Re-using existing connection"), verbose);
        assertTrue(verbose.contains("HTTP/1.1 206"), verbose);
        assertArrayEquals(Arrays.copyOfRange(data, 100, 2097252), Files.readAllBytes(a));
        assertArrayEquals(Arrays.copyOfRange(data, 15000000, 17097152), Files.readAllBytes(b));
    }

    @Test
    void headOverTls() throws Exception {
        String head = Processes.run(List.of("curl", "-sS", "--fail", "-I", "--cacert",
                dir.resolve("rsa-cert.pem").toString(), url("/big.bin")), 60);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertTrue(head.contains("Content-Length: " + data.length), head);
    }

    @Test
    void pipelinedRequestsAnsweredInOrder() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", PemCredentials.load(dir.resolve("rsa-cert.pem"),
                dir.resolve("rsa-key.pem")).chain().get(0));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        context.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.httpsPort())) {
            s.setSoTimeout(30000);
            StringBuilder requests = new StringBuilder();
            int n = 40; // more than one TLS record and more than the input buffer takes in one read
            for (int i = 0; i < n; i++) {
                requests.append("GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=").append(i * 1000).append('-')
                        .append(i * 1000 + 2999).append("\r\nX-Pad: ").append("p".repeat(2000)).append("\r\n\r\n");
            }
            s.getOutputStream().write(requests.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            for (int i = 0; i < n; i++) {
                String head = readHead(in);
                assertTrue(head.startsWith("HTTP/1.1 206"), head);
                byte[] body = in.readNBytes(3000);
                assertArrayEquals(Arrays.copyOfRange(data, i * 1000, i * 1000 + 3000), body, "answer " + i);
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head: " + h);
            }
            h.write(b);
            state = (b == '\r' && state % 2 == 0) || (b == '\n' && state % 2 == 1) ? state + 1 : b == '\r' ? 1 : 0;
        }
        return h.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void ffprobeReadsTheTitleOverHttps() throws Exception {
        String out = Processes.run(List.of("ffprobe", "-v", "error", "-tls_verify", "1", "-ca_file",
                dir.resolve("rsa-cert.pem").toString(), "-show_entries", "format=duration,size", "-of",
                "default=nw=1", url("/asset.ts")), 60);
        assertTrue(out.contains("size=" + ts.length), out);
        double duration = Double.parseDouble(out.lines().filter(l -> l.startsWith("duration="))
                .findFirst().orElseThrow().substring(9));
        assertEquals(TestAsset.SECONDS, duration, 0.2, out);
    }

    @Test
    void plainHttpOnTheTlsPortIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.httpsPort())) {
            s.setSoTimeout(20000);
            s.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] answer = s.getInputStream().readAllBytes(); // at most a TLS alert, then end of stream
            assertTrue(answer.length < 64, "no HTTP answer in clear: " + answer.length + " bytes");
        }
        wholeRangeStillServed(); // and the server goes on
    }

    private void wholeRangeStillServed() throws Exception {
        String out = Processes.run(List.of("curl", "-sS", "--fail", "--cacert", dir.resolve("rsa-cert.pem").toString(),
                "-r", "0-9", "-o", "-", url("/big.bin")), 60);
        assertEquals(10, out.getBytes(StandardCharsets.ISO_8859_1).length);
    }

    @Test
    void ecCertificateServes() throws Exception {
        try (StreamingServer ec = StreamingServer.start(store.fs(), ServerConfig.defaults()
                .withEngine(DataPath.BATCHED, 1, 8L << 20).withPorts(-1, -1)
                .withHttps(new ServerConfig.Https(0, dir.resolve("ec-cert.pem"), dir.resolve("ec-key.pem"))))) {
            Path out = dir.resolve("ec.bin");
            Processes.run(List.of("curl", "-sS", "--fail", "--cacert", dir.resolve("ec-cert.pem").toString(),
                    "-r", "0-999999", "-o", out.toString(), "https://localhost:" + ec.httpsPort() + "/big.bin"), 60);
            assertArrayEquals(Arrays.copyOf(data, 1000000), Files.readAllBytes(out));
        }
    }

    @Test
    void badKeysAreRefusedAtStart() throws Exception {
        Path rsaCert = dir.resolve("rsa-cert.pem");
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> StreamingServer.start(store.fs(), ServerConfig.defaults().withPorts(-1, -1)
                        .withHttps(new ServerConfig.Https(0, rsaCert, dir.resolve("ec-key.pem")))));
        assertTrue(mismatch.getMessage().contains("does not match the certificate"), mismatch.getMessage());

        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-key.pem", "-out",
                "other-cert.pem", "-days", "2", "-subj", "/CN=other");
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> PemCredentials.load(rsaCert, dir.resolve("other-key.pem")));
        assertTrue(other.getMessage().contains("does not belong to the certificate"), other.getMessage());

        openssl("pkey", "-in", "rsa-key.pem", "-traditional", "-out", "pkcs1.pem");
        IllegalArgumentException pkcs1 = assertThrows(IllegalArgumentException.class,
                () -> PemCredentials.load(rsaCert, dir.resolve("pkcs1.pem")));
        assertTrue(pkcs1.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), pkcs1.getMessage());

        IllegalArgumentException noCert = assertThrows(IllegalArgumentException.class,
                () -> PemCredentials.load(dir.resolve("rsa-key.pem"), dir.resolve("rsa-key.pem")));
        assertTrue(noCert.getMessage().contains("no \"-----BEGIN CERTIFICATE-----\""), noCert.getMessage());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> PemCredentials.load(dir.resolve("nowhere.pem"), dir.resolve("rsa-key.pem")));
        assertTrue(missing.getMessage().contains("cannot read"), missing.getMessage());

        assertThrows(IllegalArgumentException.class, () -> ServerConfig.https(-1, rsaCert.toString(), null));
        assertEquals(ServerConfig.DEFAULT_HTTPS_PORT,
                ServerConfig.https(-1, rsaCert.toString(), "k.pem").port());
        assertEquals(null, ServerConfig.https(-1, null, null));
    }
}
