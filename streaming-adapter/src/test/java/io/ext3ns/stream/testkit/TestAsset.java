package io.ext3ns.stream.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The test asset, made once per test JVM with ffmpeg (testsrc + sine, H.264 yuv420p + AAC in MPEG-TS, 10 s,
 * 2 Mbit/s CBR) in a temporary directory that is deleted when the JVM exits.
 */
public final class TestAsset {
    public static final double SECONDS = 10.0;
    private static Path dir;
    private static Path asset;

    private TestAsset() {
    }

    /** The asset's path (generated on first use). */
    public static synchronized Path ts() throws IOException, InterruptedException {
        if (asset == null) {
            dir = Files.createTempDirectory("ext3ns-stream-test");
            Runtime.getRuntime().addShutdownHook(new Thread(TestAsset::deleteDir));
            Path out = dir.resolve("asset.ts");
            run(List.of("ffmpeg", "-v", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "10",
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "1800k",
                    "-maxrate", "1800k", "-bufsize", "900k", "-x264-params", "nal-hrd=cbr", "-g", "50",
                    "-c:a", "aac", "-b:a", "128k", "-f", "mpegts", "-muxrate", "2000000", out.toString()), 120);
            asset = out;
        }
        return asset;
    }

    /** A scratch directory inside the per-run temp directory. */
    public static synchronized Path scratch(String name) throws IOException, InterruptedException {
        ts();
        return Files.createTempDirectory(dir, name);
    }

    /** Runs a command, failing with its output when it fails or takes longer than {@code timeoutSeconds}. */
    public static String run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        // output goes to a file: a pipe would fill up and stall a chatty command before waitFor returns
        Path log = Files.createTempFile("ext3ns-cmd", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IOException("timed out: " + command);
            }
            String output = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IOException("failed (" + p.exitValue() + "): " + command + "\n" + output);
            }
            return output;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    private static void deleteDir() {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
