package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.journal.JournalSize;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** mkfs.ext3ns at the block sizes e2fsprogs reads: e2fsck finds nothing, dumpe2fs shows what was asked. */
class MkfsE2fsprogsTest {
    @TempDir
    Path dir;

    private static Map<String, String> dumpe2fsHeader(Path img) throws Exception {
        ExternalTool.Result r = ExternalTool.run("dumpe2fs", "-h", img.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, String> fields = new HashMap<>();
        r.output().lines().filter(l -> l.contains(":")).forEach(l -> {
            int c = l.indexOf(':');
            fields.put(l.substring(0, c).trim(), l.substring(c + 1).trim());
        });
        return fields;
    }

    @ParameterizedTest(name = "-b {0}")
    @CsvSource({"1K, 1024, 16M", "4096, 4096, 32M", "64K, 65536, 96M"})
    void e2fsckFindsNothingAndDumpe2fsShowsWhatWasAsked(String bArg, int bs, String size) throws Exception {
        assumeTrue(E2fsprogs.installed(), "e2fsprogs not installed");
        Path img = dir.resolve("fs.img");
        int rc = ToolRunner.run(new MkfsMain(), new String[] {"-q", "-b", bArg, "-L", "media" + bs, "-N", "3000",
            "-m", "2", "-U", "11111111-2222-3333-4444-555555555555", "--size", size, img.toString()}, 1, 1);
        assertEquals(0, rc);

        ExternalTool.Result n = E2fsprogs.checkReadOnly(img);
        assertEquals(0, n.exitCode(), n.toString());
        Path copy = dir.resolve("copy.img");
        Files.copy(img, copy, StandardCopyOption.REPLACE_EXISTING);
        ExternalTool.Result y = E2fsprogs.checkAndFix(copy);
        assertEquals(0, y.exitCode(), y.toString());
        assertFalse(y.output().contains("FILE SYSTEM WAS MODIFIED"), y.toString());

        Map<String, String> h = dumpe2fsHeader(img);
        long blocks = Files.size(img) / bs - (bs == 1024 ? 0 : 0);
        assertEquals(String.valueOf(bs), h.get("Block size"));
        assertEquals("media" + bs, h.get("Filesystem volume name"));
        assertEquals("11111111-2222-3333-4444-555555555555", h.get("Filesystem UUID"));
        long blockCount = Long.parseLong(h.get("Block count"));
        assertTrue(blockCount <= blocks && blockCount > blocks - 100, "block count " + blockCount + " of " + blocks);
        long inodes = Long.parseLong(h.get("Inode count"));
        assertTrue(inodes >= 3000 && inodes < 3000 + 2 * bs / 256 * Long.parseLong(groups(h)), "inodes " + inodes);
        assertEquals(blockCount * 2 / 100, Long.parseLong(h.get("Reserved block count")));
        boolean journal = JournalSize.defaultBlocks(bs, blockCount) > 0; // mkfs's default journal policy
        assertEquals((journal ? "has_journal " : "") + "filetype sparse_super large_file", h.get("Filesystem features"));
        assertEquals("clean", h.get("Filesystem state"));
    }

    private static String groups(Map<String, String> h) {
        long blocks = Long.parseLong(h.get("Block count"));
        long first = Long.parseLong(h.get("First block"));
        long bpg = Long.parseLong(h.get("Blocks per group"));
        return String.valueOf((blocks - first + bpg - 1) / bpg);
    }
}
