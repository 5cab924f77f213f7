package io.ext3ns.fs.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16 (crash loop) and issue 22: a process running {@link MixedWorkload} through the engine, committing every
 * few tens of milliseconds, is SIGKILLed again and again on one image. Half the kills come at a random moment; the
 * other half exactly at an I/O point counted from the device's flushes ({@link FreezingDevice}), which puts them
 * inside journal commits (log written, commit record not yet) and checkpoints (blocks going home). After every kill
 * {@link CrashVerdict} recovers the image with fsck.ext3ns -y and (journalled) with the mount's own replay on a copy,
 * and checks both fscks, e2fsck at 4 KiB, a read-write mount, fsync'd contents and zero-filled gaps.
 *
 * <p>Seeded: {@code -Dcrash.seed=N} replays a run. {@code CRASH_KEEP=DIR} keeps each crashed image and report.
 */
class CrashLoopTest {
    private static final long SEED = Long.getLong("crash.seed", 16_22L);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}-byte blocks, journal {1}, {2} kills")
    @CsvSource({"4096, true, 30", "4096, false, 25", "1048576, true, 25", "1048576, false, 20"})
    void everyKillRecoversWithSyncedFilesExactAndNoZeroGaps(int blockSize, boolean journal, int kills)
            throws Exception {
        CrashImage.assumeSelected(blockSize, journal);
        Path img = tmp.resolve("crash.img");
        CrashImage.format(img, blockSize, journal);
        CrashVerdict verdict = new CrashVerdict(blockSize);
        Random rnd = new Random(SEED * 31 + blockSize + (journal ? 1 : 0));
        int frozen = 0;
        for (int round = 0; round < kills; round++) {
            long seed = rnd.nextLong();
            boolean atIo = rnd.nextBoolean();
            String freezeAt = atIo ? (1 + rnd.nextInt(12)) + ":" + rnd.nextInt(4) : "-";
            long killAfterMs = 20 + rnd.nextInt(400);
            String context = String.format("%d-byte blocks, journal %s, round %d (seed %d, kill %s)", blockSize,
                    journal, round, seed, atIo ? "at flush:write " + freezeAt : "after " + killAfterMs + " ms");
            Path report = tmp.resolve("report.txt");
            Files.deleteIfExists(report);
            long t0 = System.nanoTime();
            if (runAndKill(img, seed, report, freezeAt, killAfterMs, context)) {
                frozen++;
            }
            long t1 = System.nanoTime();
            List<String> lines = Files.readAllLines(report);
            if (System.getenv("CRASH_KEEP") != null) {
                Path keep = Path.of(System.getenv("CRASH_KEEP"));
                Files.copy(img, keep.resolve("round" + round + ".img"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.write(keep.resolve("round" + round + ".txt"), lines);
            }
            verdict.check(img, lines, context);
            if (Boolean.getBoolean("crash.verbose")) {
                System.out.printf("%s: run %d ms, checks %d ms%n", context, (t1 - t0) / 1_000_000,
                        (System.nanoTime() - t1) / 1_000_000);
            }
        }
        verdict.judge(img, "after the last round's unmount");
        System.out.printf("crash loop %d-byte blocks, journal %s: %d kills (%d at an I/O point), %d files and %d "
                + "fsync'd files checked, %d mount-time replays%n", blockSize, journal, kills, frozen,
                verdict.filesChecked, verdict.syncedFilesChecked, verdict.replayedAtMount);
        assertTrue(verdict.syncedFilesChecked > 0, "no fsync'd file was ever checked");
    }

    /**
     * Starts the workload process, waits for READY, then SIGKILLs it once it has frozen at its I/O point (or after
     * {@code killAfterMs} without one); true if it was killed frozen.
     */
    private boolean runAndKill(Path img, long seed, Path report, String freezeAt, long killAfterMs, String context)
            throws Exception {
        Path stderr = tmp.resolve("stderr.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx200m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Xshare:auto", "-cp", System.getProperty("java.class.path"), CrashProcess.class.getName(),
                img.toString(), Long.toString(seed), report.toString(), "30", "3", freezeAt));
        Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
        LinkedBlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    stdout.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process is gone
            }
            stdout.add("EOF");
        });
        reader.setDaemon(true);
        reader.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(report) || !Files.readString(report).contains("READY")) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    fail(context + ": the workload did not start:\n" + Files.readString(stderr));
                }
                String line = stdout.poll(10, TimeUnit.MILLISECONDS);
                if ("FROZEN".equals(line)) {
                    return true; // froze while opening: a kill point too
                }
            }
            String line = stdout.poll(freezeAt.equals("-") ? killAfterMs : 5_000, TimeUnit.MILLISECONDS);
            if (!p.isAlive() && !"FROZEN".equals(line)) {
                fail(context + ": the workload died by itself:\n" + Files.readString(stderr));
            }
            return "FROZEN".equals(line);
        } finally {
            p.destroyForcibly(); // SIGKILL
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail(context + ": the workload survived SIGKILL");
            }
        }
    }
}
