package io.ext3ns.stream.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A transport stream with a known GOP for trick play: 20 s of testsrc (320x180, 25 fps, H.264 with B-frames, a key
 * frame every 25 frames exactly: one a second) and a sine (AAC), made once per test JVM next to {@link TestAsset}.
 */
public final class TrickPlayAsset {
    public static final int SECONDS = 20;
    public static final int FPS = 25;
    public static final int GOP = 25;
    private static Path asset;

    private TrickPlayAsset() {
    }

    public static synchronized Path ts() throws IOException, InterruptedException {
        if (asset == null) {
            Path out = TestAsset.scratch("trick").resolve("gop.ts");
            TestAsset.run(List.of("ffmpeg", "-v", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc=size=320x180:rate=" + FPS,
                    "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", Integer.toString(SECONDS),
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "500k",
                    "-g", Integer.toString(GOP), "-keyint_min", Integer.toString(GOP), "-sc_threshold", "0",
                    "-bf", "2", "-c:a", "aac", "-b:a", "64k", "-f", "mpegts", out.toString()), 120);
            asset = out;
        }
        return asset;
    }
}
