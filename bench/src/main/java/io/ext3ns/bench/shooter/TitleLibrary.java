package io.ext3ns.bench.shooter;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.FileMember;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shooter's titles: one constant-rate MPEG-TS made with ffmpeg (testsrc + sine, H.264 + AAC, padded by the muxer
 * to the asked bit rate), stored {@code count} times (distinct files, so viewers of different titles share nothing)
 * in a fresh EXT3NS image made by our formatter.
 */
final class TitleLibrary {
    private TitleLibrary() {
    }

    /** Makes the asset in {@code dir}: {@code seconds} long at {@code bitsPerSecond}. */
    static Path makeAsset(Path dir, int seconds, long bitsPerSecond) throws IOException, InterruptedException {
        Path out = dir.resolve("title.ts");
        List<String> cmd = List.of("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=640x360:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", String.valueOf(seconds),
                "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-b:v", "1800k", "-maxrate", "1800k",
                "-bufsize", "900k", "-x264-params", "nal-hrd=cbr", "-g", "50", "-c:a", "aac", "-b:a", "128k",
                "-f", "mpegts", "-muxrate", String.valueOf(bitsPerSecond), out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ffmpeg.log").toFile())
                .start();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("ffmpeg failed making the title; see " + dir.resolve("ffmpeg.log"));
        }
        return out;
    }

    /** Formats {@code image} ({@code bytes}, sparse) with {@code blockSize} blocks. */
    static void format(Path image, long bytes, int blockSize) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(bytes);
        }
        try (FileMember dev = new FileMember(image, false)) {
            VolumeFormatter.format(dev, FormatSpec.builder().blockSize(blockSize).build());
        }
    }

    /** Copies {@code asset} into {@code fs} as /title-1.ts ... /title-N.ts; returns the names. */
    static List<String> store(FileSystem fs, Path asset, int count) throws IOException {
        List<String> names = new ArrayList<>();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (int i = 1; i <= count; i++) {
            String name = "title-" + i + ".ts";
            long ino = fs.create(FileSystem.ROOT_INO, name, Attr.S_IFREG | 0644, 0, 0);
            FileHandle h = fs.open(ino, true);
            try (InputStream in = Files.newInputStream(asset)) {
                long at = 0;
                for (int n; (n = in.read(chunk.array())) > 0; ) {
                    fs.write(h, at, chunk.clear().limit(n));
                    at += n;
                }
            } finally {
                fs.release(h);
            }
            names.add(name);
        }
        fs.sync();
        return names;
    }
}
