package io.ext3ns.stream.conformance;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP cases of issue 15, each a raw request on a socket so every header is the test's: If-Range, Date and
 * Last-Modified, the four preconditions, Host, an over-long range end, a negative Content-Length, content types, the
 * 403 text, and range requests answered whole while other clients reset their connections mid-read.
 */
class HttpConformanceTest {
    private static byte[] data;
    private static TestStore store;
    private static StreamingServer server;

    /** A parsed answer: status, headers (lower-case names) and body. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path dir = TestAsset.scratch("http");
        data = new byte[24 << 20]; // many units, so reads are shared and in flight while clients reset
        new Random(15).nextBytes(data);
        store = TestStore.create(dir, 128L << 20);
        store.addFile("/big.bin", data);
        store.addFile("/clip.mp4", Arrays.copyOf(data, 1000));
        store.addFile("/movie.mkv", Arrays.copyOf(data, 10));
        store.addSymlink("/escape.bin", "/etc/passwd");
        store.sync();
        server = StreamingServer.start(store.fs(), ServerConfig.defaults().withEngine(DataPath.BATCHED, 1, 32L << 20));
    }

    @AfterAll
    static void stop() throws Exception {
        try (TestStore s = store; StreamingServer a = server) {
            // both closed
        }
    }

    static Answer get(String head) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
            s.setSoTimeout(20000);
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            return read(s.getInputStream(), head.startsWith("HEAD"));
        }
    }

    static Answer read(InputStream in, boolean headOnly) throws IOException {
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
        String[] lines = h.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        String length = headers.get("content-length");
        byte[] body = headOnly || length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        if (!headOnly && length != null && body.length != Integer.parseInt(length)) {
            throw new IOException("body cut short: " + body.length + " of " + length + " bytes");
        }
        return new Answer(status, headers, body);
    }

    private static String req(String target, String... headers) {
        return "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + String.join("", Arrays.stream(headers)
                .map(x -> x + "\r\n").toList()) + "\r\n";
    }

    @Test
    void validatorsAndPreconditions() throws Exception {
        Answer whole = get(req("/big.bin", "Range: bytes=0-99"));
        assertEquals(206, whole.status());
        String etag = whole.header("ETag");
        String lastModified = whole.header("Last-Modified");
        assertNotNull(whole.header("Date"));
        assertTrue(whole.header("Date").matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                whole.header("Date"));
        assertNotNull(lastModified);
        // If-Range with a stale validator: the whole file, 200
        Answer stale = get(req("/big.bin", "Range: bytes=100-199", "If-Range: \"1-2-3\""));
        assertEquals(200, stale.status());
        assertArrayEquals(data, stale.body());
        Answer fresh = get(req("/big.bin", "Range: bytes=100-199", "If-Range: " + etag));
        assertEquals(206, fresh.status());
        assertArrayEquals(Arrays.copyOfRange(data, 100, 200), fresh.body());
        assertEquals(206, get(req("/big.bin", "Range: bytes=100-199", "If-Range: " + lastModified)).status());
        // conditional GETs
        Answer notModified = get(req("/big.bin", "If-None-Match: " + etag));
        assertEquals(304, notModified.status());
        assertEquals(etag, notModified.header("ETag"));
        assertEquals(0, notModified.body().length);
        assertEquals(304, get(req("/big.bin", "If-Modified-Since: " + lastModified)).status());
        assertEquals(200, get(req("/clip.mp4", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT")).status());
        assertEquals(200, get(req("/clip.mp4", "If-None-Match: \"other\"")).status());
        assertEquals(412, get(req("/clip.mp4", "If-Match: \"other\"")).status());
        Answer clip = get(req("/clip.mp4"));
        assertEquals(200, get(req("/clip.mp4", "If-Match: " + clip.header("ETag"))).status());
        assertEquals(412, get(req("/clip.mp4", "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT")).status());
    }

    @Test
    void requestsAreCheckedAndAnsweredAsTheRfcSays() throws Exception {
        assertEquals(400, get("GET /clip.mp4 HTTP/1.1\r\nConnection: close\r\n\r\n").status(), "no Host");
        assertEquals(200, get("GET /clip.mp4 HTTP/1.0\r\n\r\n").status(), "HTTP/1.0 needs no Host");
        Answer huge = get(req("/clip.mp4", "Range: bytes=0-99999999999999999999999999"));
        assertEquals(206, huge.status());
        assertEquals("bytes 0-999/1000", huge.header("Content-Range"));
        assertEquals(1000, huge.body().length);
        assertEquals(400, get("GET /clip.mp4 HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n").status());
        assertEquals("video/mp4", get(req("/clip.mp4")).header("Content-Type"));
        assertEquals("video/x-matroska", get(req("/movie.mkv")).header("Content-Type"));
        Answer forbidden = get(req("/escape.bin"));
        assertEquals(403, forbidden.status());
        assertEquals("forbidden\r\n", new String(forbidden.body(), StandardCharsets.UTF_8));
        assertTrue(get(req("/missing")).header("Date") != null, "errors carry Date too");
    }

    @Test
    void noReplyIsCutShortWhileOtherClientsReset() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> all = new ArrayList<>();
            int unit = 128 * 1024;
            for (int i = 0; i < 800; i++) {
                int n = i;
                // a resetting client and an innocent one ask for the same unit at once: the second joins the read
                // the first started, through the first one's file handle
                long first = (long) (n / 2 * 7919 % (data.length / unit)) * unit + (n / 2 % 5) * 1000L;
                long last = Math.min(data.length - 1, first + unit + 5000);
                if (n % 2 == 0) { // a client that resets as soon as the head arrives, while its unit is being read
                    all.add(pool.submit(() -> {
                        try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
                            s.setSoLinger(true, 0);
                            s.getOutputStream().write(req("/big.bin", "Range: bytes=" + first + "-" + last)
                                    .getBytes(StandardCharsets.ISO_8859_1));
                            s.getInputStream().read();
                        }
                        return null;
                    }));
                } else {
                    all.add(pool.submit(() -> {
                        Answer a = get(req("/big.bin", "Range: bytes=" + first + "-" + last));
                        assertEquals(206, a.status());
                        assertArrayEquals(Arrays.copyOfRange(data, (int) first, (int) last + 1), a.body(),
                                "range " + first + "-" + last);
                        return null;
                    }));
                }
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
