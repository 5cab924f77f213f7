package io.ext3ns.stream.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real clients (ffmpeg, ffprobe) with a time limit, failing with their output when they fail. */
public final class Processes {
    private Processes() {
    }

    /** Runs {@code command}; returns stdout; throws with stderr if it fails or overruns {@code seconds}. */
    public static String run(List<String> command, int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        Thread o = new Thread(() -> copy(p.getInputStream(), out));
        Thread e = new Thread(() -> copy(p.getErrorStream(), err));
        o.start();
        e.start();
        boolean finished = false;
        try {
            finished = p.waitFor(seconds, TimeUnit.SECONDS);
        } finally {
            // only a process still running is killed: destroying one that exited closes its output streams, and a
            // reader thread not yet done (a loaded machine) then returned nothing
            if (!finished) {
                p.destroyForcibly();
            }
            o.join(5000);
            e.join(5000);
        }
        if (!finished) {
            throw new IOException(command.get(0) + " did not finish in " + seconds + " s: "
                    + err.toString(StandardCharsets.UTF_8));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): "
                    + err.toString(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void copy(java.io.InputStream in, java.io.OutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process died; its exit status tells
        }
    }
}
