package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Crash consistency: a process running a write/rename/delete workload through the journalled engine is killed with
 * SIGKILL at seeded random moments, again and again on the same image. After each kill, journal recovery must leave
 * a file system our checker (fsck.ext3ns's VolumeChecker) and e2fsck find clean, and every file fsync'd before the kill (and not renamed or deleted since) must
 * have exactly the content it had.
 */
class CrashRecoveryTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}-byte blocks, {1} kills")
    @CsvSource({"4096, 40", "65536, 10"})
    void killedWorkloadRecoversCleanWithFsyncedFilesIntact(int blockSize, int kills) throws Exception {
        Path img = tmp.resolve("crash.img");
        TestImages.format(img, blockSize == 4096 ? 64L << 20 : 256L << 20,
                TestImages.spec(blockSize).journalBlocks(1024).build());
        Random rnd = new Random(8_2026L + blockSize);
        int replays = 0;
        int checkedFiles = 0;
        for (int round = 0; round < kills; round++) {
            long seed = rnd.nextLong();
            long killAfterMs = 30 + rnd.nextInt(700);
            List<String> lines = runAndKill(img, seed, killAfterMs, tmp.resolve("stderr.txt"));
            String context = "round " + round + " (seed " + seed + ", kill after " + killAfterMs + " ms)";
            String errors = Files.readString(tmp.resolve("stderr.txt"));
            assertTrue(!errors.contains("Exception"), context + ": the workload failed before the kill:\n" + errors);

            if (System.getenv("CRASH_KEEP") != null) {
                Files.copy(img, Path.of(System.getenv("CRASH_KEEP"), "round" + round + ".img"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.write(Path.of(System.getenv("CRASH_KEEP"), "round" + round + ".txt"), lines);
            }
            try (FileMember dev = new FileMember(img, false)) {
                if (Journal.recoverIfNeeded(dev).isPresent()) {
                    replays++;
                }
            }
            try (FileMember dev = new FileMember(img, true)) {
                CheckReport ours = VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
                assertTrue(ours.clean(), context + ": fsck.ext3ns after recovery: " + ours);
            }
            Ext3Tools.Result fsck = Ext3Tools.run("e2fsck", "-fn", img.toString());
            assertEquals(0, fsck.rc(), context + ": e2fsck -fn after recovery:\n" + fsck.out());
            checkedFiles += verifySynced(img, lines, context);
        }
        assertTrue(replays >= kills / 2, "most kills should leave a journal to replay: " + replays + "/" + kills);
        assertTrue(checkedFiles > kills, "fsync'd files checked: " + checkedFiles);
    }

    /** Starts the workload, waits until it is mounted plus {@code killAfterMs}, SIGKILLs it, returns its report. */
    private static List<String> runAndKill(Path img, long seed, long killAfterMs, Path stderr) throws Exception {
        Path report = stderr.resolveSibling("report.txt");
        Files.deleteIfExists(report);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), CrashWorkload.class.getName(), img.toString(),
                Long.toString(seed), report.toString()).redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.currentTimeMillis() + 30_000;
            while (!reportLines(report).contains("READY")) {
                if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                    fail("workload did not start:\n" + Files.readString(stderr));
                }
                Thread.sleep(20);
            }
            Thread.sleep(killAfterMs);
            if (!p.isAlive()) {
                fail("workload died by itself:\n" + Files.readString(stderr));
            }
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(30, TimeUnit.SECONDS);
        }
        return reportLines(report);
    }

    private static List<String> reportLines(Path report) throws java.io.IOException {
        return Files.exists(report) ? Files.readAllLines(report) : List.of();
    }

    /** Checks every synced, untouched path; returns how many were checked. */
    private static int verifySynced(Path img, List<String> lines, String context) throws Exception {
        Map<String, String> expected = new HashMap<>();
        for (String line : lines) {
            // The last line may be cut by the kill: a cut SYNCED has a short hash and is skipped; a cut TOUCH
            // was printed before its operation started, so the operation never ran.
            String[] f = line.split(" ");
            if (f[0].equals("SYNCED") && f.length == 3 && f[2].length() == 64) {
                expected.put(f[1], f[2]);
            } else if (f[0].equals("TOUCH") && f.length == 2) {
                expected.remove(f[1]);
            }
        }
        EngineOptions ro = EngineOptions.readOnlyDefaults().withCaches(8L << 20, 16L << 20);
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, true), ro)) {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                long ino;
                try {
                    ino = fs.resolve(e.getKey());
                } catch (io.ext3ns.fs.api.FsException missing) {
                    throw new AssertionError(context + ": fsync'd " + e.getKey() + " is gone after recovery; report:\n"
                            + String.join("\n", lines), missing);
                }
                FileHandle h = fs.open(ino, false);
                byte[] content = CrashWorkload.readAll(fs, h, fs.getattr(ino).size());
                fs.release(h);
                assertEquals(e.getValue(), CrashWorkload.sha256(content),
                        context + ": content of fsync'd " + e.getKey());
            }
        }
        return expected.size();
    }
}
