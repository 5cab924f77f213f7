package io.ext3ns.stream.origin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.StatFs;
import io.ext3ns.stream.testing.ProbedPackets;
import io.ext3ns.stream.testing.Processes;
import io.ext3ns.stream.testing.PrometheusScrape;
import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.testkit.TestAsset;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edge nodes that fill from an origin (issue 21, docs/edge.md), with real origins (nginx, s3proxy), real players
 * (ffmpeg over RTSP and HLS), and real checkers (fsck.ext3ns's checker and e2fsck) on the edges' images. Orderings
 * are asserted by events (was the fill complete when the first byte arrived?), never by time thresholds; the times
 * are printed for the record.
 */
class EdgeOriginTest {
    private static byte[] asset;
    private static ProbedPackets source;
    private static Path work;
    private static Path docroot;
    private static OriginProcesses.Child nginx;

    @BeforeAll
    static void origin() throws Exception {
        OriginProcesses.announce();
        Path assetPath = TestAsset.ts();
        asset = Files.readAllBytes(assetPath);
        source = ProbedPackets.of(assetPath);
        work = TestAsset.scratch("edge");
        docroot = Files.createDirectories(work.resolve("origin"));
        Files.write(docroot.resolve("title.ts"), asset);
        for (int i = 0; i < 10; i++) {
            Files.write(docroot.resolve("p" + i + ".ts"), asset);
        }
        // 512 KiB/s per connection: the 2.5 MB title takes about 5 s to fill, its first 256 KiB chunk 0.5 s
        nginx = OriginProcesses.nginx(docroot, Files.createDirectories(work.resolve("nginx")), "512k");
    }

    @AfterAll
    static void stopOrigin() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
    }

    private static Map<String, String> origin(String url, String... more) {
        Map<String, String> o = new HashMap<>();
        o.put("origin", url);
        for (int i = 0; i < more.length; i += 2) {
            o.put(more[i], more[i + 1]);
        }
        return o;
    }

    private static Future<Path> ffmpeg(ExecutorService pool, Path dir, String name, String... input) {
        return pool.submit(() -> {
            Path out = dir.resolve(name + ".ts");
            List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
            cmd.addAll(List.of(input));
            cmd.addAll(List.of("-map", "0", "-c", "copy", "-f", "mpegts", out.toString()));
            Processes.run(cmd, 90);
            return out;
        });
    }

    /** A GET of {@code url}: the body, and whether the title's fill was complete when its first byte came. */
    private record Download(byte[] body, boolean completeAtFirstByte, long firstByteNanos, long endNanos) {
    }

    private static Download download(String url, BooleanSupplier complete) throws IOException {
        long start = System.nanoTime();
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setReadTimeout(90_000);
        assertEquals(200, c.getResponseCode(), url);
        try (InputStream in = c.getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int b = in.read();
            long first = System.nanoTime() - start;
            boolean completeFirst = complete.getAsBoolean();
            if (b >= 0) {
                out.write(b);
                in.transferTo(out);
            }
            return new Download(out.toByteArray(), completeFirst, first, System.nanoTime() - start);
        }
    }

    private static PrometheusScrape scrape(Edge edge) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(edge.http("/metrics")).toURL().openConnection();
        try (InputStream in = c.getInputStream()) {
            return PrometheusScrape.parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(20); // polling a condition with a deadline
        }
    }

    @Test
    void twoEdgesServeATitleWhileItFillsFromNginx(@TempDir Path dir) throws Exception {
        String slow = "http://127.0.0.1:" + nginx.port + "/slow/";
        ExecutorService pool = Executors.newCachedThreadPool();
        try (Edge a = Edge.start(Edge.format(dir.resolve("a.img"), 64L << 20), origin(slow));
             Edge b = Edge.start(Edge.format(dir.resolve("b.img"), 64L << 20), origin(slow))) {
            // edge b: RTSP and HLS players ask for the title at once; one fill serves both
            Future<Path> rtsp = ffmpeg(pool, dir, "rtsp", "-rtsp_transport", "tcp", "-i", b.rtsp("/title.ts"));
            Future<Path> hls = ffmpeg(pool, dir, "hls", "-i", b.http("/title.ts/index.m3u8"));
            // edge a: a progressive download gets its first byte while the fill is still running
            Download d = download(a.http("/title.ts"), () -> a.store.isComplete("/title.ts"));
            assertArrayEquals(asset, d.body(), "the edge's bytes are the origin's");
            assertFalse(d.completeAtFirstByte(), "the first byte came before the fill from the origin ended");
            await("the fill of edge a completes", () -> a.store.isComplete("/title.ts"));
            System.out.printf("edge: first byte after %.0f ms, whole title (%d bytes, origin at 512 KiB/s) after"
                    + " %.0f ms%n", d.firstByteNanos() / 1e6, asset.length, d.endNanos() / 1e6);
            ProbedPackets.of(rtsp.get(90, TimeUnit.SECONDS)).assertWholeOf(source);
            ProbedPackets.of(hls.get(90, TimeUnit.SECONDS)).assertWholeOf(source);

            PrometheusScrape m = scrape(a);
            assertEquals(asset.length, m.value("ext3ns_origin_bytes_fetched_total"));
            assertEquals(1, m.value("ext3ns_origin_titles_fetched_total"));
            assertEquals(1, m.value("ext3ns_origin_requests_total{result=\"miss\"}"));
            assertEquals(1, m.value("ext3ns_origin_fetch_seconds_count"));
            assertEquals(0, m.value("ext3ns_origin_fetch_failures_total"));
            // warm: the second download is a hit, nothing more from the origin
            Download warm = download(a.http("/title.ts"), () -> true);
            assertArrayEquals(asset, warm.body());
            m = scrape(a);
            assertEquals(asset.length, m.value("ext3ns_origin_bytes_fetched_total"), "a warm title costs no origin bytes");
            assertTrue(m.value("ext3ns_origin_requests_total{result=\"hit\"}") >= 1);
            assertEquals(asset.length, scrape(b).value("ext3ns_origin_bytes_fetched_total"), "b filled once");
            assertEquals(404, status(a.http("/absent.ts")), "a title the origin lacks is 404");
        } finally {
            pool.shutdownNow();
        }
        Edge.assertFsckClean(dir.resolve("a.img"));
        Edge.assertFsckClean(dir.resolve("b.img"));
    }

    private static int status(String url) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    @Test
    void anS3OriginFillsAnEdgeWithSigV4(@TempDir Path dir) throws Exception {
        Path buckets = Files.createDirectories(dir.resolve("buckets"));
        Files.createDirectories(buckets.resolve("media/vod"));
        Files.write(buckets.resolve("media/vod/title.ts"), asset);
        Path credentials = dir.resolve("credentials");
        Files.writeString(credentials, "[default]\naws_access_key_id = edge-test\naws_secret_access_key = s3cr3t-k3y\n");
        ExecutorService pool = Executors.newCachedThreadPool();
        try (OriginProcesses.Child s3 = OriginProcesses.s3proxy(buckets, dir, "edge-test", "s3cr3t-k3y");
             Edge e = Edge.start(Edge.format(dir.resolve("s3.img"), 64L << 20), origin("s3://media/vod",
                     "origin_endpoint", "http://127.0.0.1:" + s3.port, "origin_credentials", credentials.toString()))) {
            Future<Path> rtsp = ffmpeg(pool, dir, "rtsp", "-rtsp_transport", "tcp", "-i", e.rtsp("/title.ts"));
            assertArrayEquals(asset, download(e.http("/title.ts"), () -> false).body());
            ProbedPackets.of(rtsp.get(90, TimeUnit.SECONDS)).assertWholeOf(source);
            assertEquals(404, status(e.http("/absent.ts")));
            assertEquals(asset.length, scrape(e).value("ext3ns_origin_bytes_fetched_total"));
            s3.kill();
            // origin down: HTTP 502, RTSP 503, both with the reason
            assertEquals(502, status(e.http("/other.ts")));
            try (RtspClient client = new RtspClient("127.0.0.1", e.server.rtspPort())) {
                assertEquals(503, client.request("DESCRIBE", e.rtsp("/other.ts")).status());
            }
            assertArrayEquals(asset, download(e.http("/title.ts"), () -> true).body(),
                    "a stored title plays on with the origin down");
        } finally {
            pool.shutdownNow();
        }
        Edge.assertFsckClean(dir.resolve("s3.img"));
    }

    @Test
    void anOriginKilledMidFetchFailsThePlayerAndTheEdgeRestartsClean(@TempDir Path dir) throws Exception {
        Path image = Edge.format(dir.resolve("k.img"), 64L << 20);
        Path nginxWork = Files.createDirectories(dir.resolve("nginx"));
        OriginProcesses.Child dying = OriginProcesses.nginx(docroot, nginxWork, "128k");
        try (Edge e = Edge.start(image, origin("http://127.0.0.1:" + dying.port + "/slow/"))) {
            HttpURLConnection c = (HttpURLConnection) URI.create(e.http("/title.ts")).toURL().openConnection();
            c.setReadTimeout(90_000);
            assertEquals(200, c.getResponseCode());
            byte[] got;
            try (InputStream in = c.getInputStream()) {
                assertTrue(in.read() >= 0, "the first bytes come while the origin is up");
                dying.kill();
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                IOException broken = null;
                try {
                    in.transferTo(rest);
                } catch (IOException expected) {
                    broken = expected;
                }
                got = rest.toByteArray();
                assertTrue(broken != null || got.length + 1 < asset.length,
                        "the player sees the download break, not a whole title");
            }
            await("the fill failed", () -> {
                try {
                    return scrape(e).value("ext3ns_origin_fetch_failures_total") == 1;
                } catch (IOException x) {
                    return false;
                }
            });
            FsException gone = assertThrows(FsException.class, () -> e.fs.lookup(FileSystem.ROOT_INO, "title.ts"));
            assertEquals(Errno.ENOENT, gone.errno(), "the partial title was removed");
        } finally {
            dying.close();
        }
        Edge.assertFsckClean(image);

        // a fill cut by a stop (as a crash would) leaves a title marked partial: the next start removes it
        try (OriginProcesses.Child slow = OriginProcesses.nginx(docroot, nginxWork, "128k")) {
            try (Edge e = Edge.start(image, origin("http://127.0.0.1:" + slow.port + "/slow/"))) {
                e.store.lookup(FileSystem.ROOT_INO, "title.ts"); // starts the fill
                assertFalse(e.store.isComplete("/title.ts"));
            }
            Edge.assertFsckClean(image);
            try (Edge e = Edge.start(image, origin("http://127.0.0.1:" + nginx.port + "/"))) {
                assertThrows(FsException.class, () -> e.fs.lookup(FileSystem.ROOT_INO, "title.ts"),
                        "the partial title is gone after the restart");
                assertArrayEquals(asset, download(e.http("/title.ts"), () -> false).body(), "and it refetches");
                await("the refetch completes", () -> e.store.isComplete("/title.ts"));
            }
        }
        Edge.assertFsckClean(image);
    }

    @Test
    void aChangedOriginObjectIsNoticedAndFetchedAgain(@TempDir Path dir) throws Exception {
        byte[] v1 = new byte[700_000];
        byte[] v2 = new byte[700_000];
        new java.util.Random(1).nextBytes(v1);
        new java.util.Random(2).nextBytes(v2);
        Path file = docroot.resolve("changing.bin");
        Files.write(file, v1);
        try (Edge e = Edge.start(Edge.format(dir.resolve("c.img"), 32L << 20),
                origin("http://127.0.0.1:" + nginx.port + "/", "origin_revalidate", "0"))) {
            // the admin call that warms a title: a HEAD starts its fill and returns; the fill runs on
            HttpURLConnection head = (HttpURLConnection) URI.create(e.http("/changing.bin")).toURL().openConnection();
            head.setRequestMethod("HEAD");
            assertEquals(200, head.getResponseCode());
            assertEquals(v1.length, head.getContentLengthLong());
            head.disconnect();
            await("v1 warmed by the HEAD", () -> e.store.isComplete("/changing.bin"));
            assertArrayEquals(v1, download(e.http("/changing.bin"), () -> true).body());
            assertArrayEquals(v1, download(e.http("/changing.bin"), () -> true).body(), "unchanged: kept");
            assertEquals(1, scrape(e).value("ext3ns_origin_titles_fetched_total"));
            Files.write(file, v2);
            // a new ETag at nginx (it is made of mtime and size): a later time than v1's, whatever the clock did
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(
                    System.currentTimeMillis() + 10_000));
            assertArrayEquals(v2, download(e.http("/changing.bin"), () -> false).body(), "the new object");
            assertEquals(2, scrape(e).value("ext3ns_origin_titles_fetched_total"));
        } finally {
            Files.deleteIfExists(file);
        }
        Edge.assertFsckClean(dir.resolve("c.img"));
    }

    @Test
    void purgeKeepsTheVolumeUnderItsHighWaterMarkWhileAPlayerPlays(@TempDir Path dir) throws Exception {
        String fast = "http://127.0.0.1:" + nginx.port + "/";
        ExecutorService pool = Executors.newCachedThreadPool();
        try (Edge e = Edge.start(Edge.format(dir.resolve("p.img"), 32L << 20),
                origin(fast, "origin_high", "60", "origin_low", "45"))) {
            StatFs s = e.fs.statfs();
            long total = s.totalBlocks() * s.blockSize();
            long high = total / 100 * 60;
            Future<Path> player = ffmpeg(pool, dir, "p0", "-rtsp_transport", "tcp", "-i", e.rtsp("/p0.ts"));
            await("p0 is playing", () -> e.server.statsText().contains("playing: 1\r\n"));
            for (int i = 1; i < 10; i++) {
                assertArrayEquals(asset, download(e.http("/p" + i + ".ts"), () -> false).body(), "p" + i);
                StatFs now = e.fs.statfs();
                long used = (now.totalBlocks() - now.freeBlocks()) * now.blockSize();
                assertTrue(used <= high, "after p" + i + ": " + used + " bytes used, high-water mark " + high);
            }
            ProbedPackets.of(player.get(90, TimeUnit.SECONDS)).assertWholeOf(source);
            PrometheusScrape m = scrape(e);
            assertTrue(m.value("ext3ns_origin_titles_purged_total") > 0, "titles were purged");
            assertTrue(e.store.isOriginTitle("/p0.ts"), "the title being played was never purged");
            assertTrue(e.store.isOriginTitle("/p9.ts"), "the newest title stays");
            System.out.printf("edge purge: %d of 10 titles purged on a %d MiB volume (high 60%%, low 45%%)%n",
                    (long) m.value("ext3ns_origin_titles_purged_total"), total >> 20);
        } finally {
            pool.shutdownNow();
        }
        Edge.assertFsckClean(dir.resolve("p.img"));
    }
}
