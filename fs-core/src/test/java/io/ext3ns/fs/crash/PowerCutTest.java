package io.ext3ns.fs.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.journal.PeriodicCommit;
import io.ext3ns.fs.testing.PowerCutDevice;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16: power cuts. The engine runs {@link MixedWorkload} (with a 20 ms periodic commit) on a member whose
 * volatile cache is lost at a seeded I/O ({@link PowerCutDevice}: every write since the last flush is dropped, and
 * the member is dead from then on). The cut points are counted in writes and flushes, so many land inside commits.
 * After each cut the same checks as after a SIGKILL ({@link CrashVerdict}). In-process: no JVM per cut.
 */
class PowerCutTest {
    private static final long SEED = Long.getLong("crash.seed", 16_25L);

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}-byte blocks, journal {1}, {2} power cuts")
    @CsvSource({"4096, true, 10", "4096, false, 10", "1048576, true, 8", "1048576, false, 8"})
    void everyPowerCutRecoversWithSyncedFilesExactAndNoZeroGaps(int blockSize, boolean journal, int cuts)
            throws Exception {
        CrashImage.assumeSelected(blockSize, journal);
        Path img = tmp.resolve("cut.img");
        CrashImage.format(img, blockSize, journal);
        CrashVerdict verdict = new CrashVerdict(blockSize);
        Random rnd = new Random(SEED * 31 + blockSize + (journal ? 1 : 0));
        long dropped = 0;
        for (int round = 0; round < cuts; round++) {
            long seed = rnd.nextLong();
            long cutAt = 1 + rnd.nextInt(blockSize == 4096 ? 600 : 150);
            String context = String.format("%d-byte blocks, journal %s, power cut %d (seed %d, at I/O %d)",
                    blockSize, journal, round, seed, cutAt);
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            dropped += runAndCut(img, seed, cutAt, lines, context);
            verdict.check(img, new ArrayList<>(lines), context);
        }
        verdict.judge(img, "after the last round's unmount");
        System.out.printf("power cuts %d-byte blocks, journal %s: %d cuts, %d unflushed writes dropped, %d files and "
                + "%d fsync'd files checked%n", blockSize, journal, cuts, dropped, verdict.filesChecked,
                verdict.syncedFilesChecked);
        assertTrue(verdict.syncedFilesChecked > 0, "no fsync'd file was ever checked");
    }

    /** Runs the workload until the power fails at I/O {@code cutAt} (or after 20 s); returns the writes lost. */
    private static long runAndCut(Path img, long seed, long cutAt, List<String> lines, String context)
            throws Exception {
        try (FileMember member = new FileMember(img, false)) {
            PowerCutDevice dev = new PowerCutDevice(member);
            Ext3FileSystem fs = Ext3FileSystem.open(dev, EngineOptions.defaults().withCaches(8L << 20, 16L << 20));
            dev.arm(cutAt); // the file system is never closed: the machine is off
            MixedWorkload workload = new MixedWorkload(fs, lines::add, seed, 3);
            Throwable failed = null;
            try {
                workload.anchors();
            } catch (IOException e) {
                failed = e;
            }
            if (failed == null) {
                PeriodicCommit commits = PeriodicCommit.start(fs, Duration.ofMillis(20));
                long end = System.nanoTime() + 20_000_000_000L;
                failed = workload.run(() -> dev.isCut() || System.nanoTime() > end);
                commits.close();
            }
            boolean cutByIo = dev.isCut();
            if (failed != null && !cutByIo) {
                throw new AssertionError(context + ": the workload failed before the power cut", failed);
            }
            if (!cutByIo) {
                dev.cut(); // the workload outran the chosen point: cut now
            }
            return dev.droppedWrites();
        }
    }
}
