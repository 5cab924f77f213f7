package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.EngineTrees;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random damage to the metadata area (superblock, descriptors, bitmaps, inode table, directories) of a populated
 * volume: the checker always finishes quickly with a verdict or a readable operational error — never an internal
 * exception (a NullPointerException or an index out of bounds would show up as "cannot check: java.lang..."), and
 * -y never makes things worse than "errors left". Seeded: the failing seed is in the message.
 */
class CorruptionFuzzTest {
    private static final int ROUNDS = 40;
    private static final int E2FSCK_ROUNDS = 30;

    @TempDir
    Path dir;

    /** A copy of {@code clean} with 1–8 short runs of random bytes somewhere in its first {@code span} bytes. */
    private static void damage(Path clean, Path img, long span, long seed) throws Exception {
        Random rnd = new Random(seed);
        Files.copy(clean, img, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                byte[] junk = new byte[1 + rnd.nextInt(4)];
                rnd.nextBytes(junk);
                ch.write(ByteBuffer.wrap(junk), (long) (rnd.nextDouble() * span));
            }
        }
    }

    private static CheckReport check(Path img, boolean fix) throws Exception {
        try (FileMember dev = new FileMember(img, !fix)) {
            return VolumeChecker.check(dev, new CheckOptions(fix, true));
        }
    }

    /**
     * Differential: under the same random damage our verdict (clean or not) equals e2fsck -fn's, on our images and
     * on mke2fs images (resize inode, journal, EA-capable); and whenever our -y says everything was fixed, e2fsck -fn
     * finds the result clean. Rounds where we refuse the damaged primary superblock (exit 8) are not compared:
     * e2fsck falls back to a backup superblock there. (300 rounds per image kind agreed locally; CI runs 30.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"ours-1024", "ours-4096", "mke2fs-1024", "mke2fs-4096"})
    void verdictAgreesWithE2fsckUnderRandomDamage(String kind) throws Exception {
        assumeTrue(E2fsprogs.installed(), "e2fsprogs not installed");
        int bs = Integer.parseInt(kind.substring(kind.indexOf('-') + 1));
        Path clean = dir.resolve("clean.img");
        if (kind.startsWith("ours")) {
            TestImages.format(clean, 4L << 20, bs);
            EngineTrees.sampleTree(clean);
        } else {
            E2fsprogs.mke2fsWithTree(clean, bs, 16L << 20, E2fsprogs.sampleTree(dir.resolve("tree")));
        }
        Path img = dir.resolve("fuzz.img");
        for (int round = 0; round < E2FSCK_ROUNDS; round++) {
            long seed = bs * 7919L + round;
            damage(clean, img, 48L * 4096, seed);
            CheckReport ours = check(img, false);
            if (ours.exitCode() == CheckReport.EXIT_OPERATIONAL || ours.found().stream()
                    .anyMatch(p -> p.message().contains("checked with the backup copies"))) {
                continue; // damaged primary copies: MutantAgreementTest judges those rounds (stated disagreements)
            }
            ExternalTool.Result e2 = E2fsprogs.checkReadOnly(img);
            assertEquals(e2.exitCode() == 0, ours.exitCode() == 0, "seed " + seed + ": ours " + ours.exitCode() + " "
                    + ours.found() + " " + ours.operationalError() + "\ne2fsck: " + e2);
            if (check(img, true).exitCode() == CheckReport.EXIT_FIXED) {
                ExternalTool.Result after = E2fsprogs.checkReadOnly(img);
                assertEquals(0, after.exitCode(), "seed " + seed + ": after our -y: " + after);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096, 131072})
    void randomMetadataDamageNeverCrashesTheChecker(int bs) throws Exception {
        Path clean = dir.resolve("clean.img");
        TestImages.format(clean, bs == 131072 ? 48L * bs : 4L << 20, bs);
        EngineTrees.sampleTree(clean);
        long metadataBytes = Math.min(Files.size(clean), 48L * Math.max(bs, 4096));
        Path img = dir.resolve("fuzz.img");
        for (int round = 0; round < ROUNDS; round++) {
            long seed = bs * 1000L + round;
            damage(clean, img, metadataBytes, seed);
            for (boolean fix : new boolean[] {false, true}) {
                CheckReport r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                    try (FileMember dev = new FileMember(img, !fix)) {
                        return VolumeChecker.check(dev, new CheckOptions(fix, true));
                    }
                }, "seed " + seed);
                String err = r.operationalError();
                assertFalse(err != null && err.startsWith("cannot check: java.lang"), "seed " + seed + ": " + err);
                int code = r.exitCode();
                assertTrue(code == 0 || code == 1 || code == 4 || code == 5 || code == 8, "seed " + seed + ": " + code);
            }
        }
    }
}
