package io.ext3ns.fs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** e2fsprogs is the judge: images our formatter makes at the block sizes it accepts must check clean. */
class VolumeFormatterE2fsckTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1024, 8", "1024, 20", "2048, 12", "4096, 8", "4096, 300", "65536, 64", "65536, 600"})
    void e2fsckFindsNothingToFix(int blockSize, int mib) throws Exception {
        assumeTrue(ExternalTool.available("e2fsck"), "e2fsprogs not installed");
        Path img = dir.resolve("fs.img");
        TestImages.format(img, (long) mib << 20, TestImages.spec(blockSize).label("t" + blockSize).build());

        ExternalTool.Result n = ExternalTool.run("e2fsck", "-fn", img.toString());
        assertEquals(0, n.exitCode(), n.toString());

        Path copy = dir.resolve("copy.img");
        Files.copy(img, copy, StandardCopyOption.REPLACE_EXISTING);
        ExternalTool.Result y = ExternalTool.run("e2fsck", "-fy", copy.toString());
        assertEquals(0, y.exitCode(), y.toString());
        assertFalse(y.output().contains("MODIFIED"), y.toString());
    }

    /** Formatting over old garbage: the inode tables are zeroed, so nothing of the old content is taken for inodes. */
    @ParameterizedTest
    @CsvSource({"1024", "4096", "65536"})
    void formatOverGarbageChecksClean(int blockSize) throws Exception {
        assumeTrue(ExternalTool.available("e2fsck"), "e2fsprogs not installed");
        Path img = dir.resolve("garbage.img");
        byte[] noise = new byte[8 << 20];
        new java.util.Random(blockSize).nextBytes(noise);
        Files.write(img, noise);
        try (io.ext3ns.sda.FileMember dev = new io.ext3ns.sda.FileMember(img, false)) {
            VolumeFormatter.format(dev, TestImages.spec(blockSize).build());
        }
        ExternalTool.Result n = ExternalTool.run("e2fsck", "-fn", img.toString());
        assertEquals(0, n.exitCode(), n.toString());
    }
}
