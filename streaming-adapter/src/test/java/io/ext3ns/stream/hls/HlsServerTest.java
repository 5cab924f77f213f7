package io.ext3ns.stream.hls;

import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.testing.ProbedPackets;
import io.ext3ns.stream.testing.Processes;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "must show" for HLS, on a real store served by a real server: ffmpeg reads
 * {@code /title.ts/index.m3u8} with {@code -c copy} and gets every packet of the source (size and md5, in order);
 * ffprobe's duration of the playlist is the file's within 0.1 s; GStreamer's hlsdemux fetches the segments, which
 * put together are the file byte for byte; {@code ffmpeg -ss 60} through the playlist starts within one segment of
 * 60 s. Also the HTTP side: content types, the query string carried into every URI, 404s with a reason for files
 * that are not transport streams, a truncated title, HEAD. The three players run at once.
 */
class HlsServerTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static byte[] title;
    private static TestStore store;
    private static StreamingServer server;
    private static Path out;

    @BeforeAll
    static void start() throws Exception {
        title = HlsAssets.bytes(HlsAssets.video());
        out = TestAsset.scratch("hls-server");
        store = TestStore.create(out, 64L << 20);
        store.addFile("/title.ts", title);
        store.addFile("/notes.txt", "not a transport stream\n".repeat(100).getBytes(StandardCharsets.UTF_8));
        store.addFile("/cut.ts", Arrays.copyOf(title, title.length / 3 + 77));
        store.sync();
        server = StreamingServer.start(store.fs(), ServerConfig.defaults().withPorts(-1, 0)
                .withEngine(DataPath.BATCHED, 1, 16L << 20));
    }

    @AfterAll
    static void stop() throws IOException {
        try (TestStore s = store; StreamingServer srv = server) {
            // the server first, then the store it serves
        }
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void playersGetTheWholeTitleThroughThePlaylist() throws Exception {
        CompletableFuture<String> copy = CompletableFuture.supplyAsync(() -> run(List.of("ffmpeg", "-v", "error",
                "-y", "-i", url("/title.ts/index.m3u8"), "-map", "0", "-c", "copy", "-f", "mpegts",
                out.resolve("copy.ts").toString())));
        CompletableFuture<String> gst = CompletableFuture.supplyAsync(() -> run(List.of("gst-launch-1.0", "-q",
                "souphttpsrc", "location=" + url("/title.ts/index.m3u8"), "!", "hlsdemux", "!", "filesink",
                "location=" + out.resolve("gst.ts"))));
        CompletableFuture<String> seek = CompletableFuture.supplyAsync(() -> run(List.of("ffmpeg", "-v", "error",
                "-y", "-ss", "60", "-i", url("/title.ts/index.m3u8"), "-map", "0:v", "-c", "copy", "-copyts",
                "-frames:v", "10", "-f", "mpegts", out.resolve("seek.ts").toString())));
        String playlistDuration = run(List.of("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                "csv=p=0", url("/title.ts/index.m3u8")));
        String fileDuration = run(List.of("ffprobe", "-v", "error", "-show_entries", "format=duration", "-of",
                "csv=p=0", HlsAssets.video().toString()));
        assertEquals(Double.parseDouble(fileDuration.trim()), Double.parseDouble(playlistDuration.trim()), 0.1,
                "ffprobe's duration of the playlist");

        copy.join();
        ProbedPackets source = ProbedPackets.of(HlsAssets.video());
        ProbedPackets copied = ProbedPackets.of(out.resolve("copy.ts"));
        assertEquals(source.streams().keySet(), copied.streams().keySet());
        for (var e : source.streams().entrySet()) {
            List<String> want = e.getValue().stream().map(p -> p.size() + ":" + p.md5()).toList();
            List<String> got = copied.streams().get(e.getKey()).stream().map(p -> p.size() + ":" + p.md5()).toList();
            assertEquals(want.size(), got.size(), "packets of stream " + e.getKey());
            assertEquals(want, got, "stream " + e.getKey());
        }

        gst.join();
        assertArrayEquals(title, Files.readAllBytes(out.resolve("gst.ts")), "hlsdemux's segments are the file");

        seek.join();
        double start = Double.parseDouble(run(List.of("ffprobe", "-v", "error", "-show_entries",
                "format=start_time", "-of", "csv=p=0", HlsAssets.video().toString())).trim());
        String firstPts = run(List.of("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                "packet=pts_time", "-read_intervals", "%+#1", "-of", "csv=p=0", out.resolve("seek.ts").toString()));
        double landed = Double.parseDouble(firstPts.trim().split("\n")[0].replace(",", "")) - start;
        assertTrue(landed > 60 - 7 && landed <= 60.05, "ffmpeg -ss 60 through the playlist starts at " + landed);
    }

    @Test
    void playlistsOverHttp() throws Exception {
        HttpResponse<String> media = get("/title.ts/index.m3u8?exp=1700000000&sig=abc_-");
        assertEquals(200, media.statusCode());
        assertEquals("application/vnd.apple.mpegurl", media.headers().firstValue("Content-Type").orElse(""));
        List<String[]> entries = HlsPlaylistTest.entries(media.body());
        assertEquals(12, entries.size(), media.body());
        for (String[] e : entries) {
            assertEquals("../title.ts?exp=1700000000&sig=abc_-", e[3]);
        }
        // a segment is served by the range path: its bytes are the file's
        String[] third = entries.get(3);
        long length = Long.parseLong(third[1]);
        long offset = Long.parseLong(third[2]);
        HttpResponse<byte[]> segment = HTTP.send(HttpRequest.newBuilder(URI.create(url("/title.ts")))
                .header("Range", "bytes=" + offset + "-" + (offset + length - 1)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, segment.statusCode());
        assertArrayEquals(Arrays.copyOfRange(title, (int) offset, (int) (offset + length)), segment.body());

        HttpResponse<String> master = get("/title.ts/master.m3u8?t=1");
        assertEquals(200, master.statusCode());
        assertTrue(master.body().contains("#EXT-X-STREAM-INF:BANDWIDTH=") && master.body().contains("\nindex.m3u8?t=1\n")
                && master.body().contains("#EXT-X-I-FRAME-STREAM-INF:") && master.body().contains("URI=\"iframes.m3u8?t=1\""),
                master.body());
        HttpResponse<String> iframes = get("/title.ts/iframes.m3u8");
        assertEquals(200, iframes.statusCode());
        assertTrue(iframes.body().contains("#EXT-X-I-FRAMES-ONLY") && iframes.body().contains("\n../title.ts\n"));

        HttpResponse<String> notTs = get("/notes.txt/index.m3u8");
        assertEquals(404, notTs.statusCode());
        assertTrue(notTs.body().contains("not an MPEG transport stream"), notTs.body());
        assertEquals(404, get("/missing.ts/index.m3u8").statusCode());
        assertEquals(404, get("/title.ts/other.m3u8").statusCode());
        assertEquals(200, get("/title.ts/index.m3u8?a=%22x").statusCode()); // escaped: carried as it is
        assertTrue(rawStatusLine("/title.ts/index.m3u8?a=\"x").startsWith("HTTP/1.1 400 "),
                "a quote would end a playlist attribute: refused");

        HttpResponse<String> cut = get("/cut.ts/index.m3u8");
        assertEquals(200, cut.statusCode());
        List<String[]> cutEntries = HlsPlaylistTest.entries(cut.body());
        String[] last = cutEntries.get(cutEntries.size() - 1);
        assertEquals((title.length / 3 + 77) / 188 * 188, Long.parseLong(last[1]) + Long.parseLong(last[2]),
                "a truncated title's last segment ends at its last whole packet");

        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(url("/title.ts/index.m3u8")))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(media.body().length() - 12 * "?exp=1700000000&sig=abc_-".length()),
                head.headers().firstValue("Content-Length").orElse(""));
    }

    /** The status line for a request target the JDK's client would refuse to send. */
    private static String rawStatusLine(String target) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.httpPort())) {
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1).split("\r\n")[0];
        }
    }

    private static String run(List<String> command) {
        try {
            return Processes.run(command, 60);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
