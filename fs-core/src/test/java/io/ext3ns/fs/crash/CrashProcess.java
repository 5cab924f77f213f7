package io.ext3ns.fs.crash;

import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.journal.PeriodicCommit;
import io.ext3ns.sda.FileMember;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The process {@link CrashLoopTest} kills: opens an image read-write through the engine (replaying a journal a
 * crash left), commits every COMMIT_MS as the mount's commit= does, runs {@link MixedWorkload} and never stops by
 * itself. With FLUSHES:WRITES it freezes all I/O at that point ({@link FreezingDevice}) and prints {@code FROZEN} on
 * stdout, for the test to SIGKILL it there; with {@code -} the test kills it at a random moment.
 *
 * <p>Usage: {@code CrashProcess IMAGE SEED REPORT COMMIT_MS THREADS (FLUSHES:WRITES | -)}. The report gets
 * {@code READY} once mounted, then the workload's lines, each one write(2) (what write returned survives SIGKILL).
 */
public final class CrashProcess {
    private CrashProcess() {
    }

    public static void main(String[] args) throws Exception {
        long seed = Long.parseLong(args[1]);
        int commitMs = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        FreezingDevice dev = new FreezingDevice(new FileMember(java.nio.file.Path.of(args[0]), false), () -> {
            System.out.println("FROZEN");
            System.out.flush();
        });
        EngineOptions opts = EngineOptions.defaults().withCaches(8L << 20, 16L << 20);
        try (FileOutputStream out = new FileOutputStream(args[2], true)) {
            MixedWorkload.Report report = line -> {
                synchronized (out) {
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
            };
            Ext3FileSystem fs = Ext3FileSystem.open(dev, opts);
            if (!args[5].equals("-")) { // armed before the anchors: kill points in their fsyncs too
                String[] at = args[5].split(":");
                dev.arm(Long.parseLong(at[0]), Long.parseLong(at[1]));
            }
            MixedWorkload workload = new MixedWorkload(fs, report, seed, threads);
            workload.anchors();
            PeriodicCommit.start(fs, Duration.ofMillis(commitMs));
            report.line("READY");
            Throwable failed = workload.run(() -> false);
            if (failed != null) {
                failed.printStackTrace();
                System.exit(3);
            }
        } catch (IOException e) {
            e.printStackTrace();
            System.exit(2);
        }
    }
}
