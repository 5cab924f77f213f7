package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One block cache for both doors (issue 17): a title copied in through a real FUSE mount, read back through the
 * mount, downloaded over the mount's HTTP server and played by two real players (ffmpeg) over its RTSP server is
 * read from the members about once: {@code ext3ns_member_read_bytes_total} grows by at most 1.1 times the file over
 * all of it (the FUSE read fills the cache; HTTP, the RTSP seek-index scan and both viewers hit it).
 */
class BlockCacheDoorsTest {
    private static final Pattern SAMPLE = Pattern.compile("^([a-z0-9_]+) (\\S+)$", Pattern.MULTILINE);

    @TempDir
    Path tmp;

    @Test
    void aTitleReadThroughTheMountThenServedOverHttpAndRtspIsReadFromTheMembersOnce() throws Exception {
        // ~115 MiB of MPEG-2 noise in 4 s of play: big in bytes, short to stream in real time
        Path asset = tmp.resolve("big.ts");
        Shell.run(tmp, List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1280x720:r=25",
                "-t", "4", "-vf", "noise=alls=60:allf=t", "-c:v", "mpeg2video", "-q:v", "2", "-g", "25",
                "-f", "mpegts", asset.toString()), 300).check();
        long size = Files.size(asset);
        assertTrue(size > 64L << 20, "asset of " + size + " bytes");
        byte[] digest = sha256(Files.newInputStream(asset));

        Path image = TestImages.ext3ns(tmp.resolve("img"), 512L << 20, 1 << 20);
        int http = freePort();
        int rtsp = freePort();
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        Path log = tmp.resolve("mount.log");
        List<String> cmd = MountProcess.command(image.toString(), mnt.toString(), "-f", "-o",
                "http=" + http + ",rtsp=" + rtsp + ",cache=256M,pool=8M");
        try (NotifySocket socket = new NotifySocket(tmp.resolve("notify"))) {
            Process mount = socket.startService(List.of(),
                    cmd.subList(cmd.indexOf(MountMain.class.getName()), cmd.size()),
                    Map.of("EXT3NS_CONF", tmp.resolve("none.conf").toString()), log);
            try {
                String ready = socket.receive(mount, 120);
                assertTrue(ready.startsWith("READY=1"), ready);
                Files.copy(asset, mnt.resolve("big.ts"));
                Shell.bash(tmp, "sync && echo 3 > /proc/sys/vm/drop_caches").check(); // reads reach the mount
                double before = metric(http, "ext3ns_member_read_bytes_total");
                double hitsBefore = metric(http, "ext3ns_block_cache_hits_total");

                try (InputStream in = Files.newInputStream(mnt.resolve("big.ts"))) { // FUSE
                    assertArrayEquals(digest, sha256(in), "read through the mount");
                }
                double afterFuse = metric(http, "ext3ns_member_read_bytes_total");
                HttpResponse<InputStream> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + http + "/big.ts")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                assertEquals(200, r.statusCode());
                try (InputStream in = r.body()) { // HTTP
                    assertArrayEquals(digest, sha256(in), "downloaded over HTTP");
                }
                double afterHttp = metric(http, "ext3ns_member_read_bytes_total");
                List<Process> viewers = new ArrayList<>(); // RTSP: two viewers of the title at once
                for (int i = 0; i < 2; i++) {
                    viewers.add(new ProcessBuilder("ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i",
                            "rtsp://127.0.0.1:" + rtsp + "/big.ts", "-map", "0", "-c", "copy", "-f", "null", "-")
                            .redirectErrorStream(true).redirectOutput(tmp.resolve("viewer" + i + ".log").toFile())
                            .start());
                }
                for (int i = 0; i < viewers.size(); i++) {
                    Process v = viewers.get(i);
                    try {
                        assertTrue(v.waitFor(180, TimeUnit.SECONDS), "viewer " + i + " still playing");
                        assertEquals(0, v.exitValue(), Files.readString(tmp.resolve("viewer" + i + ".log")));
                    } finally {
                        v.destroyForcibly();
                    }
                }
                double after = metric(http, "ext3ns_member_read_bytes_total");
                double hits = metric(http, "ext3ns_block_cache_hits_total") - hitsBefore;
                double cached = metric(http, "ext3ns_block_cache_bytes");
                System.out.printf("file %d bytes; member reads: FUSE %.0f, HTTP %.0f, RTSP x2 %.0f, total %.3fx;"
                        + " %.0f cache hits, %.0f bytes cached%n", size, afterFuse - before, afterHttp - afterFuse,
                        after - afterHttp, (after - before) / size, hits, cached);
                assertTrue(after - before <= 1.1 * size, "members read " + (after - before) + " bytes for a file"
                        + " of " + size + " read through FUSE, HTTP and two RTSP viewers");
                assertTrue(afterFuse - before >= 0.9 * size, "the FUSE read went to the members (page cache"
                        + " dropped): " + (afterFuse - before));
                assertTrue(hits > 0, "HTTP and RTSP hit the cache");
                assertTrue(metric(http, "ext3ns_block_cache_misses_total") > 0);
                assertTrue(cached >= size / 2, "the title is cached: " + cached);
                assertEquals(0, MountProcess.fusermountUnmount(mnt).exit());
                assertTrue(mount.waitFor(120, TimeUnit.SECONDS), "mount process still running");
                assertEquals(0, mount.exitValue(), Files.readString(log));
            } finally {
                MountProcess.endService(mount, mnt);
            }
        }
        TestImages.assertCheckerClean(List.of(image));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static byte[] sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return md.digest();
    }

    /** One unlabelled sample of the mount's /metrics. */
    private static double metric(int port, String name) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Matcher m = SAMPLE.matcher(r.body());
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError(name + " is not in /metrics:\n" + r.body());
    }
}
