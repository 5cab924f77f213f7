package io.ext3ns.stream.conformance;

import io.ext3ns.stream.testkit.TestAsset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real players of the conformance tests, each told to play an RTSP URL to its end over UDP or TCP and to record
 * what it received as an MPEG-TS file (ffmpeg and mpv remux the packets they demuxed; GStreamer's rtspsrc writes
 * the depayloaded transport stream as it came).
 */
enum Players {
    FFMPEG {
        @Override
        List<String> command(String url, boolean tcp, Path out) {
            return List.of("ffmpeg", "-v", "error", "-y", "-rtsp_transport", tcp ? "tcp" : "udp", "-i", url,
                    "-map", "0", "-c", "copy", "-f", "mpegts", out.toString());
        }
    },
    GSTREAMER {
        @Override
        List<String> command(String url, boolean tcp, Path out) {
            return List.of("gst-launch-1.0", "-q", "rtspsrc", "location=" + url, "protocols=" + (tcp ? "tcp" : "udp"),
                    "!", "rtpmp2tdepay", "!", "filesink", "location=" + out);
        }
    },
    MPV {
        @Override
        List<String> command(String url, boolean tcp, Path out) {
            return List.of("mpv", "--no-config", "--really-quiet", "--vo=null", "--ao=null",
                    "--rtsp-transport=" + (tcp ? "tcp" : "udp"), "--stream-record=" + out, url);
        }
    };

    abstract List<String> command(String url, boolean tcp, Path out);

    /** Plays {@code url} to its end; returns the recording. Fails with the player's output if it fails. */
    Path play(String url, boolean tcp, Path dir, int timeoutSeconds) throws Exception {
        Path out = dir.resolve(name().toLowerCase() + (tcp ? "-tcp" : "-udp") + ".ts");
        try {
            TestAsset.run(new ArrayList<>(command(url, tcp, out)), timeoutSeconds);
        } catch (java.io.IOException e) {
            // rtspsrc's own race after the end (seen with any server): on the BYE its loop thread sends a PAUSE
            // while gst-launch, at EOS, tears down and closes the connection; the PAUSE then fails with "Received
            // end-of-file" and gst-launch exits 1. The recording is complete by then; the comparison judges it.
            boolean pauseAfterEnd = this == GSTREAMER && e.getMessage().contains("gst_rtspsrc_pause")
                    && e.getMessage().contains("Received end-of-file");
            if (!pauseAfterEnd || !java.nio.file.Files.exists(out)) {
                throw e;
            }
        }
        return out;
    }
}
