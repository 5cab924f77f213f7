package io.ext3ns.stream.conformance;

import io.ext3ns.stream.testkit.TestAsset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The conformance assets, made with ffmpeg at test time: 30 s, small bitrates, each codec family players meet in
 * MPEG-TS. One frame per PES ({@code -pes_payload_size 0}), so "every packet but the last" is exact: an RTSP
 * client's demuxer never emits the final PES of a stream, and with this muxing that is one packet.
 */
enum Assets {
    H264_AAC(List.of("-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i",
            "sine=frequency=1000:sample_rate=48000", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-b:v", "300k", "-g", "50", "-c:a", "aac", "-b:a", "64k")),
    HEVC(List.of("-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-c:v", "libx265", "-preset", "ultrafast",
            "-x265-params", "log-level=error:keyint=50", "-pix_fmt", "yuv420p", "-b:v", "300k")),
    MPEG2_MP2(List.of("-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i",
            "sine=frequency=440:sample_rate=48000", "-c:v", "mpeg2video", "-b:v", "400k", "-g", "12", "-c:a", "mp2",
            "-b:a", "128k")),
    AUDIO_ONLY(List.of("-f", "lavfi", "-i", "sine=frequency=660:sample_rate=48000", "-c:a", "aac", "-b:a", "96k"));

    static final int SECONDS = 30;
    private final List<String> codecArgs;

    Assets(List<String> codecArgs) {
        this.codecArgs = codecArgs;
    }

    String fileName() {
        return name().toLowerCase() + ".ts";
    }

    /** Encodes the asset into {@code dir}; returns its path. */
    Path make(Path dir, int seconds) throws Exception {
        Path out = dir.resolve(fileName());
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-v", "error", "-y"));
        cmd.addAll(codecArgs);
        cmd.addAll(List.of("-t", String.valueOf(seconds), "-f", "mpegts", "-pes_payload_size", "0", out.toString()));
        TestAsset.run(cmd, 300);
        return out;
    }
}
