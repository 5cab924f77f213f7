package io.ext3ns.fs.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.sda.FileMember;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFragmentationTest {
    @TempDir
    Path dir;

    @Test
    void runsBreakAtGapsAndHoles() {
        List<long[]> blocks = List.of(new long[] {0, 100}, new long[] {1, 101}, new long[] {2, 102},
                new long[] {3, 200}, new long[] {5, 202}, new long[] {6, 203});
        FileFragmentation f = FileFragmentation.of(blocks);
        assertEquals(3, f.runCount());
        assertEquals(new FileFragmentation.Run(0, 100, 3), f.runs().get(0));
        assertEquals(new FileFragmentation.Run(3, 200, 1), f.runs().get(1));
        assertEquals(new FileFragmentation.Run(5, 202, 2), f.runs().get(2));
        assertEquals(6, f.dataBlocks());
        assertEquals(0, FileFragmentation.of(List.of()).runCount());
    }

    /** Our runs equal the data extents debugfs lists for a file with indirect blocks in a mke2fs image. */
    @Test
    void agreesWithDebugfsOnAMke2fsImage() throws Exception {
        assumeTrue(E2fsprogs.installed(), "e2fsprogs not installed");
        Path img = dir.resolve("f.img");
        E2fsprogs.mke2fsWithTree(img, 1024, 16L << 20, E2fsprogs.sampleTree(dir.resolve("tree")));
        String stat = E2fsprogs.debugfs(img, "stat /sub/big");
        // "(0-11):1234-1245, (IND):1246, (12-267):1247-1502, ..." : data ranges only, merged when adjacent
        Matcher m = Pattern.compile("\\((\\d+)(?:-(\\d+))?\\):(\\d+)(?:-(\\d+))?").matcher(stat);
        List<long[]> blocks = new ArrayList<>();
        while (m.find()) {
            long l0 = Long.parseLong(m.group(1));
            long l1 = m.group(2) == null ? l0 : Long.parseLong(m.group(2));
            long p0 = Long.parseLong(m.group(3));
            for (long i = 0; i <= l1 - l0; i++) {
                blocks.add(new long[] {l0 + i, p0 + i});
            }
        }
        FileFragmentation expected = FileFragmentation.of(blocks);
        try (FileMember dev = new FileMember(img, true)) {
            VolumeReader v = VolumeReader.open(dev);
            FileFragmentation ours = FileFragmentation.of(v, v.lookup("/sub/big"));
            assertEquals(expected.runs(), ours.runs());
            assertEquals(true, ours.runCount() > 1, "indirect blocks placed inline split the runs");
        }
    }
}
