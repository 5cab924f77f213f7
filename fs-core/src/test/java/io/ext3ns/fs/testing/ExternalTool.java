package io.ext3ns.fs.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an external program (e2fsprogs, mount, losetup) with a timeout and captures exit code and output. */
public final class ExternalTool {
    /** Exit code and the merged stdout+stderr of one run. */
    public record Result(int exitCode, String output) {
        @Override
        public String toString() {
            return "exit " + exitCode + ":\n" + output;
        }
    }

    private ExternalTool() {
    }

    public static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), 120);
    }

    public static Result run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish in " + timeoutSeconds + " s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** True when the program is on PATH (tests that need it are skipped otherwise). */
    public static boolean available(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (new java.io.File(dir, program).canExecute()) {
                return true;
            }
        }
        return new java.io.File("/sbin", program).canExecute() || new java.io.File("/usr/sbin", program).canExecute();
    }
}
