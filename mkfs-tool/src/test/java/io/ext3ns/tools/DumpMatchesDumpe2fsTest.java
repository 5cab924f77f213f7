package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** dump.ext3ns's per-group counts and free ranges are dumpe2fs's, line for line, on mke2fs images and ours. */
class DumpMatchesDumpe2fsTest {
    @TempDir
    Path dir;

    /** The group lines both tools print the same way: counts and free block / inode ranges. */
    private static List<String> comparable(String dump) {
        return dump.lines().filter(l -> l.startsWith("  ")).map(String::trim)
                .filter(l -> l.startsWith("Free blocks: ") || l.startsWith("Free inodes: ") || l.contains(" free blocks, "))
                .toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mke2fs-1024", "mke2fs-4096", "ours-4096", "ours-65536"})
    void groupSummaryEqualsDumpe2fs(String image) throws Exception {
        assumeTrue(E2fsprogs.installed() && ExternalTool.available("dumpe2fs"), "e2fsprogs not installed");
        int bs = Integer.parseInt(image.substring(image.indexOf('-') + 1));
        Path img = dir.resolve("d.img");
        if (image.startsWith("mke2fs")) {
            E2fsprogs.mke2fsWithTree(img, bs, 48L << 20, E2fsprogs.sampleTree(dir.resolve("tree")));
        } else {
            TestImages.format(img, 80L << 20, bs);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (FileMember dev = new FileMember(img, true); PrintStream out = new PrintStream(bytes, true,
                StandardCharsets.UTF_8)) {
            VolumeDump.groups(VolumeReader.open(dev), out);
        }
        List<String> ours = comparable(bytes.toString(StandardCharsets.UTF_8));
        List<String> theirs = comparable(ExternalTool.run("dumpe2fs", img.toString()).output());
        assertFalse(ours.isEmpty());
        assertEquals(theirs, ours);
    }
}
