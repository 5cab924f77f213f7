package io.ext3ns.stream.hls;

import io.ext3ns.stream.testkit.TestAsset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The HLS test titles, made once per test JVM by ffmpeg: 70 s (past the 60 s seek the issue asks for) of 320x180
 * H.264 (B-frames, a key frame every 48 frames at 24 frame/s: 2 s, so 6 s cuts are exact) and AAC, about 300 kbit/s;
 * and 20 s of AAC alone. Small, so making them takes a few seconds.
 */
final class HlsAssets {
    static final int SECONDS = 70;
    private static Path video;
    private static Path audio;

    private HlsAssets() {
    }

    static synchronized Path video() throws Exception {
        if (video == null) {
            Path out = TestAsset.scratch("hls").resolve("title.ts");
            TestAsset.run(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=size=320x180:rate=24", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", String.valueOf(SECONDS), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                    "-b:v", "200k", "-g", "48", "-keyint_min", "48", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k",
                    "-f", "mpegts", out.toString()), 120);
            video = out;
        }
        return video;
    }

    static synchronized Path audioOnly() throws Exception {
        if (audio == null) {
            Path out = TestAsset.scratch("hls-audio").resolve("radio.ts");
            TestAsset.run(List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=660:sample_rate=48000", "-t", "20", "-c:a", "aac", "-b:a", "64k",
                    "-f", "mpegts", out.toString()), 120);
            audio = out;
        }
        return audio;
    }

    static byte[] bytes(Path p) throws Exception {
        return Files.readAllBytes(p);
    }
}
