package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.testing.EngineTrees;
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

    @TempDir
    Path dir;

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
            Random rnd = new Random(seed);
            Files.copy(clean, img, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
                for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                    byte[] junk = new byte[1 + rnd.nextInt(4)];
                    rnd.nextBytes(junk);
                    ch.write(ByteBuffer.wrap(junk), (long) (rnd.nextDouble() * metadataBytes));
                }
            }
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
