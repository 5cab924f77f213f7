package io.ext3ns.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs real tools (bash, cp, diff, ffprobe, e2fsck) and captures what they print (shared through the test-jar). */
public final class Shell {
    public record Result(int exit, String out, String err) {
        public Result check() {
            if (exit != 0) {
                throw new AssertionError("exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
            }
            return this;
        }
    }

    private Shell() {
    }

    /** Runs a bash script in {@code dir}. */
    public static Result bash(Path dir, String script) throws IOException, InterruptedException {
        return run(dir, List.of("bash", "-c", script), 300);
    }

    public static Result run(Path dir, List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir == null ? null : dir.toFile()).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), out.join(), err.join());
    }

    private static CompletableFuture<String> drain(java.io.InputStream in) {
        // One thread per stream (not the common pool, which has one thread on two cores and could block a pipe).
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }, task -> new Thread(task, "shell-drain").start());
    }
}
