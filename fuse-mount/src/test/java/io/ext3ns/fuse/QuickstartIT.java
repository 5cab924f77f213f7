package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command as a new user meets it, after `mvn package`: bin/ext3ns-quickstart formats four
 * file-backed members as one array, mounts it with the RTSP/HTTP server, puts a sample video in, and prints URLs;
 * ffprobe plays the printed rtsp:// URL; a second run reuses everything; bin/ext3ns-stop leaves no mount and no
 * process behind. Runs against the launchers in bin/, in temporary data and mount folders and free ports.
 */
class QuickstartIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();

    @Test
    void quickstartServesTheSampleAndStopLeavesNothingBehind(@TempDir Path tmp) throws Exception {
        Path mnt = tmp.resolve("mnt");
        String env = "EXT3NS_DATA=" + tmp.resolve("data") + " EXT3NS_MNT=" + mnt + " EXT3NS_MEMBER_SIZE=1G"
                + " EXT3NS_RTSP_PORT=" + freePort() + " EXT3NS_HTTP_PORT=" + freePort() + " ";
        try {
            Shell.Result first = Shell.bash(REPO, env + "bin/ext3ns-quickstart").check();
            String rtsp = url(first.out(), "rtsp");
            String http = url(first.out(), "http");
            assertTrue(isMounted(mnt), "quickstart left no mount:\n" + first.out());

            Shell.Result probe = Shell.run(null, List.of("ffprobe", "-v", "error", "-rtsp_transport", "tcp",
                    "-show_entries", "stream=codec_type", "-of", "csv=p=0", rtsp), 120).check();
            assertTrue(probe.out().contains("video") && probe.out().contains("audio"), probe.out());

            HttpResponse<byte[]> download = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(http)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertEquals(Files.size(mnt.resolve("sample.ts")), download.body().length);

            Shell.Result again = Shell.bash(REPO, env + "bin/ext3ns-quickstart").check();
            assertTrue(again.out().contains("reusing") && again.out().contains("already mounted"), again.out());
        } finally {
            Shell.bash(REPO, env + "bin/ext3ns-stop");
            if (isMounted(mnt)) {
                Shell.run(null, List.of("umount", "-l", mnt.toString()), 30);
            }
        }
        assertFalse(isMounted(mnt), "ext3ns-stop left the mount");
        Shell.Result left = Shell.run(null, List.of("pgrep", "-f", "io.ext3ns.fuse.MountMain .*" + mnt), 30);
        assertEquals("", left.out().trim(), "ext3ns-stop left the mount process");
    }

    private static String url(String out, String scheme) {
        Matcher m = Pattern.compile(scheme + "://127\\.0\\.0\\.1:\\d+/sample\\.ts").matcher(out);
        assertTrue(m.find(), "no " + scheme + " URL printed:\n" + out);
        return m.group();
    }

    private static boolean isMounted(Path mnt) throws IOException {
        String target = " " + mnt.toAbsolutePath() + " ";
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream().anyMatch(l -> l.contains(target));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
