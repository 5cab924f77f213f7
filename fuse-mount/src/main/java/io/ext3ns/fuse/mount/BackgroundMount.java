package io.ext3ns.fuse.mount;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * mount.ext3ns without -f: starts the mount in a detached process (its own session, so the shell's signals and
 * logout do not reach it) and returns only once that process reports the mount live and the mount table and a stat
 * of the mount point confirm it. On failure it prints what the mount process logged and exits non-zero.
 */
public final class BackgroundMount {
    /** System property naming the file the mount process writes when it is up (see MountSession). */
    static final String READY_FILE_PROPERTY = "ext3ns.readyFile";
    private static final long START_TIMEOUT_MS = 120_000;
    private static final int LOG_LINES_SHOWN = 25;

    private BackgroundMount() {
    }

    /** Starts {@code mainClass args... -f} in the background and waits until the mount is live. */
    public static void start(MountRequest request, String mainClass, List<String> args) throws MountFailure {
        MountPointCheck.requireUsable(request.mountPoint()); // fail fast, before a JVM starts
        Path log = logFile(request);
        Path ready;
        long logStart;
        Process process;
        try {
            ready = Files.createTempFile("ext3ns-mount-", ".ready");
            Files.delete(ready);
            Files.createDirectories(log.toAbsolutePath().getParent());
            logStart = Files.exists(log) ? Files.size(log) : 0;
            process = new ProcessBuilder(command(mainClass, args, ready))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new MountFailure(MountFailure.FAILED, "cannot start the mount process: " + e.getMessage(), e);
        }
        try {
            awaitReady(request, process, ready, log, logStart);
        } finally {
            try {
                Files.deleteIfExists(ready);
            } catch (IOException e) {
                // a temp file left behind is harmless
            }
        }
    }

    private static void awaitReady(MountRequest request, Process process, Path ready, Path log, long logStart)
            throws MountFailure {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (!(Files.exists(ready) && MountPointCheck.isLive(request.mountPoint()))) {
            if (!process.isAlive()) {
                throw new MountFailure(MountFailure.FAILED, "mounting " + request.source() + " on "
                        + request.mountPoint() + " failed:\n" + tail(log, logStart) + "\n(full log: " + log + ")");
            }
            if (System.currentTimeMillis() > deadline) {
                process.destroy(); // SIGTERM: the mount process unmounts what it mounted
                throw new MountFailure(MountFailure.FAILED, "mounting " + request.source() + " on "
                        + request.mountPoint() + " did not finish within " + START_TIMEOUT_MS / 1000 + " s; see "
                        + log);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MountFailure(MountFailure.FAILED, "interrupted while waiting for the mount");
            }
        }
    }

    private static List<String> command(String mainClass, List<String> args, Path ready) {
        List<String> cmd = new ArrayList<>();
        cmd.add("setsid");
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-D" + READY_FILE_PROPERTY + "=" + ready);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        cmd.add("-f");
        return cmd;
    }

    static Path logFile(MountRequest request) {
        return request.options().logFile() != null ? request.options().logFile()
                : defaultLogFile(request.mountPoint());
    }

    /** Where a background mount of {@code mountPoint} logs when no logfile= is given. */
    public static Path defaultLogFile(Path mountPoint) {
        String name = mountPoint.toString().replaceAll("[^A-Za-z0-9._-]", "_");
        return Path.of(System.getProperty("java.io.tmpdir"), "ext3ns-mount" + name + ".log");
    }

    /** The last lines the mount process wrote to the log (from {@code from} on). */
    private static String tail(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            String mine = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
                    StandardCharsets.UTF_8);
            List<String> lines = mine.lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_LINES_SHOWN), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }
}
