package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import io.ext3ns.sda.OpenOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's corruption test: seeded mutants of a small mke2fs ext3 image at 4 KiB blocks (two groups, a journal, a
 * tree with an indirect block; single-field and random-byte changes to the superblock, descriptors, bitmaps, inode
 * table, directories and journal superblock, see {@link MutantImages}). For each:
 * <ul>
 * <li>our verdict (clean / errors / operational error: exit 0 / 4 / 8) equals e2fsck -fn's (0 / bit 4 / 8), apart
 * from the disagreements stated in {@link #allowed} (and docs/format.md);</li>
 * <li>no check hangs: each of ours runs under a timeout, each e2fsck too;</li>
 * <li>after our -y, e2fsck -fn finds the image clean whenever e2fsck -fy (followed by -fn) would reach clean.</li>
 * </ul>
 * Our checks run in-process, e2fsck in parallel processes. {@code -Dfsck.mutants=N -Dfsck.mutantSeed=S} run more or
 * other mutants; a failure names the seed and the change.
 */
class MutantAgreementTest {
    private static final int MUTANTS = Integer.getInteger("fsck.mutants", 1000);
    private static final long FIRST_SEED = Long.getLong("fsck.mutantSeed", 16_000_000L);
    private static final int WORKERS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private static final int CHECK_TIMEOUT_S = 30;

    enum Verdict { CLEAN, ERRORS, OPERATIONAL }

    @TempDir
    Path dir;

    private static Verdict ours(int exit) {
        return exit == 0 ? Verdict.CLEAN : exit == CheckReport.EXIT_OPERATIONAL ? Verdict.OPERATIONAL : Verdict.ERRORS;
    }

    /** e2fsck: 4 is set whenever errors are left (12 = errors left, then aborted); 8 alone: could not check. */
    private static Verdict e2fsck(int exit) {
        if (exit == 0) {
            return Verdict.CLEAN;
        }
        return (exit & 4) != 0 || (exit & 8) == 0 ? Verdict.ERRORS : Verdict.OPERATIONAL;
    }

    /**
     * The stated disagreements, or null when there is none to excuse. Each names a rule of e2fsck's we chose not to
     * copy, and why.
     */
    static String allowed(Verdict oursV, CheckReport ours, Verdict e2V, String e2out) {
        String found = ours.found().toString();
        boolean fromBackup = ours.found().stream().anyMatch(p -> p.message().contains("checked with the backup"));
        if (oursV == Verdict.ERRORS && e2V == Verdict.CLEAN && fromBackup && e2out.contains("trying backup blocks")) {
            return "primary copies damaged: e2fsck -n is content with the backup, we count the primary the mount reads";
        }
        if (oursV == Verdict.ERRORS && e2V == Verdict.OPERATIONAL && fromBackup) {
            return "primary superblock e2fsck opens but then rejects (or whose unknown features it refuses) without"
                    + " trying the backups: we check from the backup";
        }
        if (oursV == Verdict.ERRORS && e2V == Verdict.CLEAN && fromBackup && found.contains("UNINIT flags")) {
            return "descriptor UNINIT flags without gdt_csum: e2fsck -n notes them ('no' is fine for it), our"
                    + " validation sends us to the backup";
        }
        if (oursV == Verdict.ERRORS && e2V == Verdict.CLEAN && found.contains("checked with the backup copies")
                && (found.contains("free inodes exceed") || found.contains("free/reserved blocks exceed"))) {
            return "superblock free counts above the totals: we check from the backup, e2fsck -n only notes the"
                    + " count ('no' is fine for it)";
        }
        if (oursV == Verdict.ERRORS && e2V == Verdict.CLEAN && found.contains("invalid journal")
                && (found.contains("first log block") || found.contains("length") || found.contains("start "))) {
            return "a journal superblock field the kernel's JBD2 refuses at mount (s_first, s_maxlen below 1024,"
                    + " s_start outside the log) and e2fsck does not check: we report it, -y resets the journal";
        }
        if (oursV == Verdict.ERRORS && e2out.contains("Error writing block") && e2out.contains("aborted")) {
            return "e2fsck -n aborted trying to write (exit 9), which it does for a journal error number";
        }
        return null;
    }

    /** Problems our -y leaves on purpose (docs/format.md, "Not repaired"), saying so with exit 4. */
    static String allowedLeft(CheckReport fixed) {
        if ((fixed.exitCode() & CheckReport.EXIT_UNCORRECTED) == 0) {
            return null;
        }
        for (Problem p : fixed.remaining()) {
            String m = p.message();
            if (p.isError() && !p.fixable() && (m.contains("illegal") || m.contains("duplicate block")
                    || m.startsWith("invalid journal") || m.contains("bad mode") || m.contains("directory loop")
                    || m.startsWith("resize inode not valid") || m.startsWith("root inode is not"))) {
                return "left by our -y with exit 4: " + m.replaceAll("[0-9]+", "N").replaceAll("'[^']*'", "'X'");
            }
        }
        return null;
    }

    private record Outcome(String line, String allowed, String failure) {
    }

    @Test
    void verdictsAgreeWithE2fsckAndRepairsSatisfyIt() throws Exception {
        assumeTrue(E2fsprogs.installed(), "e2fsprogs not installed");
        Path base = dir.resolve("base.img");
        // 2 groups (mke2fs's default 32768 blocks, so e2fsck finds the backup where we do), few inodes: e2fsck is quick
        TestImages.sparseFile(base, 136L << 20);
        ExternalTool.Result mk = ExternalTool.run(List.of("mke2fs", "-q", "-F", "-t", "ext3", "-b", "4096",
                "-N", "128", "-J", "size=4", "-U", TestImages.TEST_UUID.toString(),
                "-E", "hash_seed=" + TestImages.TEST_UUID + ",root_owner=0:0",
                "-d", smallTree(dir.resolve("tree")).toString(), base.toString()), 60);
        assertTrue(mk.exitCode() == 0, mk.toString());
        MutantImages images = new MutantImages(base, "/", "/lost+found", "/sub", "/sub/deeper");

        ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        ExecutorService checks = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mutant-check");
            t.setDaemon(true); // a hung check must not keep the JVM alive after the test failed
            return t;
        });
        long start = System.nanoTime();
        List<Future<Outcome>> futures = new ArrayList<>();
        try {
            for (int i = 0; i < MUTANTS; i++) {
                long seed = FIRST_SEED + i;
                futures.add(workers.submit(() -> run(images, images.mutant(seed), checks)));
            }
            Map<String, Integer> pairs = new TreeMap<>();
            Map<String, Integer> excused = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                Outcome o = f.get();
                pairs.merge(o.line(), 1, Integer::sum);
                if (o.allowed() != null) {
                    excused.merge(o.allowed(), 1, Integer::sum);
                }
                if (o.failure() != null) {
                    failures.add(o.failure());
                }
            }
            String summary = String.format("%d mutants in %.1f s; verdicts (ours/e2fsck): %s; stated disagreements:"
                    + " %s", MUTANTS, (System.nanoTime() - start) / 1e9, pairs, excused);
            System.out.println(summary);
            assertTrue(failures.isEmpty(), failures.size() + " failures, first ones:\n"
                    + String.join("\n", failures.subList(0, Math.min(25, failures.size()))) + "\n" + summary);
        } finally {
            workers.shutdownNow();
            checks.shutdownNow();
            assertTrue(workers.awaitTermination(60, TimeUnit.SECONDS), "workers finished");
        }
    }

    /** The sample tree with /sub/big cut to 25 blocks (still past the direct pointers): each mutant writes less. */
    private static Path smallTree(Path dir) throws java.io.IOException {
        E2fsprogs.sampleTree(dir);
        Files.writeString(dir.resolve("sub/big"), "big\n".repeat(25_000));
        return dir;
    }

    private Outcome run(MutantImages images, MutantImages.Mutant m, ExecutorService checks) throws Exception {
        String id = "seed " + m.seed() + " (" + m.description() + ")";
        Path img = dir.resolve("m" + m.seed() + ".img");
        Path ourFix = dir.resolve("y" + m.seed() + ".img");
        Path theirFix = dir.resolve("e" + m.seed() + ".img");
        try {
            images.write(m, img);
            CheckReport ours = timed(checks, img, false);
            if (ours == null) {
                return new Outcome("hang", null, id + ": our -n did not finish in " + CHECK_TIMEOUT_S + " s");
            }
            ExternalTool.Result e2 = e2fsck(img, "-fn");
            Verdict oursV = ours(ours.exitCode());
            Verdict e2V = e2fsck(e2.exitCode());
            String line = oursV + "/" + e2V;
            String allowed = null;
            if (oursV != e2V) {
                allowed = allowed(oursV, ours, e2V, e2.output());
                if (allowed == null) {
                    return new Outcome(line, null, id + ": ours " + ours.exitCode() + " " + ours.found() + " "
                            + ours.operationalError() + "\n   e2fsck " + e2.exitCode() + ": "
                            + e2.output().replace('\n', '|'));
                }
            }
            if (oursV == Verdict.CLEAN && e2V == Verdict.CLEAN) {
                return new Outcome(line, allowed, null);
            }
            images.write(m, ourFix);
            CheckReport fixed = timed(checks, ourFix, true);
            if (fixed == null) {
                return new Outcome(line, allowed, id + ": our -y did not finish in " + CHECK_TIMEOUT_S + " s");
            }
            ExternalTool.Result after = e2fsck(ourFix, "-fn");
            if (after.exitCode() == 0) {
                return new Outcome(line, allowed, null);
            }
            images.write(m, theirFix);
            e2fsck(theirFix, "-fy");
            boolean theyReachClean = e2fsck(theirFix, "-fn").exitCode() == 0;
            String left = allowedLeft(fixed);
            if (theyReachClean && left != null) {
                return new Outcome(line, left, null);
            }
            if (theyReachClean) {
                return new Outcome(line, allowed, id + ": after our -y (exit " + fixed.exitCode() + ", left "
                        + fixed.remaining() + ") e2fsck -fn still finds errors, but e2fsck -fy reaches clean: "
                        + after.output().replace('\n', '|'));
            }
            return new Outcome(line, allowed, null);
        } finally {
            Files.deleteIfExists(img);
            Files.deleteIfExists(ourFix);
            Files.deleteIfExists(theirFix);
        }
    }

    /** Our check of {@code img}, or null when it did not finish within the timeout. */
    private static CheckReport timed(ExecutorService checks, Path img, boolean fix) throws Exception {
        Future<CheckReport> f = checks.submit(() -> {
            // buffered, as e2fsck reads: O_DIRECT would first write back the image just written
            try (FileMember dev = new FileMember(img, (fix ? OpenOptions.READ_WRITE : OpenOptions.READ_ONLY)
                    .buffered())) {
                return VolumeChecker.check(dev, new CheckOptions(fix, true));
            }
        });
        try {
            return f.get(CHECK_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return null;
        }
    }

    private static ExternalTool.Result e2fsck(Path img, String options) throws Exception {
        return ExternalTool.run(List.of("e2fsck", options, img.toString()), CHECK_TIMEOUT_S);
    }
}
