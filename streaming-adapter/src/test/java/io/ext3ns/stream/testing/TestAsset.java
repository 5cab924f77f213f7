package io.ext3ns.stream.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The streaming test asset, made with ffmpeg as docs/server.md describes: testsrc + sine, H.264 yuv420p + AAC in
 * MPEG-TS, 10 s, 2 Mbit/s CBR mux, 2 s GOP (640x360 to keep the encode short on a busy CI machine). Made once per
 * test JVM in a temporary directory deleted at exit.
 */
public final class TestAsset {
    private static Path cached;

    private TestAsset() {
    }

    public static synchronized Path path() throws IOException, InterruptedException {
        if (cached == null) {
            Path dir = Files.createTempDirectory("ext3ns-asset");
            Path ts = dir.resolve("asset.ts");
            Processes.run(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
                    "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "10",
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "1800k",
                    "-maxrate", "1800k", "-bufsize", "900k", "-x264-params", "nal-hrd=cbr", "-g", "50",
                    "-c:a", "aac", "-b:a", "128k", "-f", "mpegts", "-muxrate", "2000000", ts.toString()), 120);
            ts.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            cached = ts;
        }
        return cached;
    }
}
