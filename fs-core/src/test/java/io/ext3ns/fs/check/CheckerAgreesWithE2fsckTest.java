package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.sda.FileMember;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our checker and e2fsck -fn must reach the same verdict on mke2fs images (with resize_inode, dir_index, ext_attr
 * and a journal) before and after corrupting them with debugfs; after our -y, e2fsck must find the fixable classes
 * clean.
 */
class CheckerAgreesWithE2fsckTest {
    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    @BeforeAll
    static void tree() throws Exception {
        assumeTrue(E2fsprogs.installed(), "e2fsprogs not installed");
        E2fsprogs.sampleTree(shared.resolve("tree"));
    }

    private Path fixture(int bs) throws Exception {
        Path img = dir.resolve("m" + bs + ".img");
        E2fsprogs.mke2fsWithTree(img, bs, bs == 65536 ? 128L << 20 : 32L << 20, shared.resolve("tree"));
        return img;
    }

    private static CheckReport ours(Path img, boolean fix) {
        try (FileMember dev = new FileMember(img, !fix)) {
            return VolumeChecker.check(dev, new CheckOptions(fix, true));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static long firstBlock(Path img, String path) throws Exception {
        Matcher m = Pattern.compile("\\((?:0|0-\\d+)\\):(\\d+)").matcher(E2fsprogs.debugfs(img, "stat " + path));
        assertTrue(m.find(), "no block list for " + path);
        return Long.parseLong(m.group(1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096, 65536})
    void cleanMke2fsImagesAreClean(int bs) throws Exception {
        Path img = fixture(bs);
        ExternalTool.Result e2 = E2fsprogs.checkReadOnly(img);
        CheckReport r = ours(img, false);
        assertEquals(0, e2.exitCode(), e2.toString());
        assertEquals(0, r.exitCode(), r.remaining().toString());
        // the summary figures agree with e2fsck's last line
        String last = e2.output().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertEquals(last.replaceFirst("^[^:]*:", ""), r.summaryLine().replaceFirst("^[^:]*:", ""));
    }

    /** Indexed (htree) directories, as e2fsck -D builds them, are read linearly and check clean. */
    @ParameterizedTest
    @ValueSource(ints = {1024, 4096})
    void htreeDirectoriesCheckClean(int bs) throws Exception {
        Path tree = dir.resolve("wide");
        Files.createDirectories(tree.resolve("big"));
        for (int i = 0; i < 400; i++) {
            Files.writeString(tree.resolve("big/a_rather_long_file_name_" + i), Integer.toString(i));
        }
        Path img = dir.resolve("h.img");
        E2fsprogs.mke2fsWithTree(img, bs, 32L << 20, tree);
        E2fsprogs.checkAndFixWithOptions(img, "-fyD");
        assertTrue(E2fsprogs.debugfs(img, "stat /big").contains("Flags: 0x1000"), "indexed");
        ExternalTool.Result e2 = E2fsprogs.checkReadOnly(img);
        CheckReport r = ours(img, false);
        assertEquals(0, e2.exitCode(), e2.toString());
        assertEquals(0, r.exitCode(), r.found().toString());
        String last = e2.output().strip().lines().reduce((a, b) -> b).orElseThrow();
        assertEquals(last.replaceFirst("^[^:]*:", ""), r.summaryLine().replaceFirst("^[^:]*:", ""));
    }

    /** One debugfs corruption per class; {@code fixable}: our -y must leave an image e2fsck -fn finds clean. */
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({
        "freed-used-block, 1024, true", "freed-used-block, 4096, true", "freed-used-block, 65536, true",
        "marked-free-block, 4096, true", "marked-free-block, 65536, true",
        "doubly-used-block, 1024, false", "doubly-used-block, 4096, false", "doubly-used-block, 65536, false",
        "wrong-link-count, 1024, true", "wrong-link-count, 4096, true", "wrong-link-count, 65536, true",
        "orphan-file, 4096, true", "orphan-dir, 4096, true",
        "zero-dtime, 4096, true", "dtime-in-use, 4096, true", "wrong-i_blocks, 65536, true",
        "bad-rec_len, 1024, true", "bad-rec_len, 4096, true", "bad-rec_len, 65536, true",
        "wrong-filetype, 4096, true", "entry-to-unused-inode, 4096, true", "size-past-map, 4096, true",
        "journal-superblock-magic, 4096, true",
    })
    void verdictMatchesE2fsck(String corruption, int bs, boolean fixable) throws Exception {
        Path img = fixture(bs);
        corrupt(img, corruption, bs);
        ExternalTool.Result e2 = E2fsprogs.checkReadOnly(img);
        CheckReport r = ours(img, false);
        // e2fsck -n aborts on a directory it may not salvage (4 | 8 = 12); both must say "errors left"
        assertEquals(4, e2.exitCode() & 4, "e2fsck should see the corruption: " + e2);
        assertEquals(4, r.exitCode(), "ours: " + r.found() + "\ne2fsck: " + e2);

        Path copy = dir.resolve("fixed.img");
        Files.copy(img, copy, StandardCopyOption.REPLACE_EXISTING);
        CheckReport fixed = ours(copy, true);
        ExternalTool.Result after = E2fsprogs.checkReadOnly(copy);
        if (fixable) {
            assertEquals(1, fixed.exitCode(), "ours -y: " + fixed.remaining());
            assertEquals(0, after.exitCode(), "e2fsck after our -y: " + after);
        } else {
            assertTrue((fixed.exitCode() & 4) != 0, "ours -y must say errors are left");
            assertEquals(4, after.exitCode() & 4, "e2fsck after our -y: " + after);
        }
    }

    private static void corrupt(Path img, String corruption, int bs) throws Exception {
        switch (corruption) {
            case "freed-used-block" -> E2fsprogs.debugfsWrite(img, "freeb " + firstBlock(img, "/hosts"));
            case "marked-free-block" -> E2fsprogs.debugfsWrite(img, "setb " + (Files.size(img) / bs - 3));
            case "doubly-used-block" -> E2fsprogs.debugfsWrite(img, "sif /hosts block[0] "
                    + firstBlock(img, "/sub/deeper/note"));
            case "wrong-link-count" -> E2fsprogs.debugfsWrite(img, "sif /hosts links_count 2");
            case "orphan-file" -> E2fsprogs.debugfsWrite(img, "unlink /hosts");
            case "orphan-dir" -> E2fsprogs.debugfsWrite(img, "unlink /sub");
            case "zero-dtime" -> E2fsprogs.debugfsWrite(img, "sif <40> mode 0100644");
            case "dtime-in-use" -> E2fsprogs.debugfsWrite(img, "sif /hosts dtime 12345");
            case "wrong-i_blocks" -> E2fsprogs.debugfsWrite(img, "sif /hosts blocks 1024");
            case "wrong-filetype" -> E2fsprogs.debugfsWrite(img, "set_inode_field /hosts mode 0020644");
            case "entry-to-unused-inode" -> E2fsprogs.debugfsWrite(img, "sif /empty links_count 0");
            case "size-past-map" -> E2fsprogs.debugfsWrite(img, "sif /sub/big size 100");
            case "bad-rec_len" -> breakRecLen(img, firstBlock(img, "/"), bs);
            case "journal-superblock-magic" -> zeroFirstWord(img, firstBlock(img, "<8>"), bs);
            case "stale-superblock-counts" -> E2fsprogs.debugfsWrite(img, "ssv free_blocks_count 7");
            case "no-lost+found" -> E2fsprogs.debugfsWrite(img, "rmdir lost+found");
            case "pending-recovery" -> E2fsprogs.debugfsWrite(img, "feature needs_recovery");
            case "orphan-list" -> E2fsprogs.debugfsWrite(img, "ssv last_orphan 12");
            default -> throw new IllegalArgumentException(corruption);
        }
    }

    private static void zeroFirstWord(Path img, long block, int bs) throws Exception {
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate(4), block * bs);
        }
    }

    /** e2fsck -n accepts these ("no" is fine): stale totals, no lost+found, a skipped recovery, an orphan list. */
    @ParameterizedTest
    @ValueSource(strings = {"stale-superblock-counts", "no-lost+found", "pending-recovery", "orphan-list"})
    void notesLeaveTheVerdictClean(String condition) throws Exception {
        Path img = fixture(4096);
        corrupt(img, condition, 4096);
        ExternalTool.Result e2 = E2fsprogs.checkReadOnly(img);
        CheckReport r = ours(img, false);
        assertEquals(0, e2.exitCode(), e2.toString());
        assertEquals(0, r.exitCode(), r.found().toString());
        assertTrue(r.found().stream().anyMatch(p -> !p.isError()), "reported as a note: " + r.found());
    }

    /** -y recreates a missing lost+found, as e2fsck -fy does, and reconnects an orphan into it. */
    @ParameterizedTest
    @ValueSource(ints = {1024, 65536})
    void missingLostAndFoundIsRecreatedForOrphans(int bs) throws Exception {
        Path img = fixture(bs);
        corrupt(img, "no-lost+found", bs);
        corrupt(img, "orphan-file", bs);
        CheckReport fixed = ours(img, true);
        assertEquals(CheckReport.EXIT_FIXED, fixed.exitCode(), fixed.remaining().toString());
        ExternalTool.Result after = E2fsprogs.checkReadOnly(img);
        assertEquals(0, after.exitCode(), after.toString());
        assertTrue(E2fsprogs.debugfs(img, "ls /lost+found").contains("#"), "orphan reconnected");
    }

    /** Sets the rec_len of the root's third entry (after '.' and '..') to 13: not a multiple of 4. */
    private static void breakRecLen(Path img, long rootBlock, int bs) throws Exception {
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            var buf = java.nio.ByteBuffer.allocate(bs).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            ch.read(buf, rootBlock * bs);
            int dotdotLen = buf.getShort(12 + 4) & 0xFFFF;
            int third = 12 + dotdotLen;
            buf.putShort(third + 4, (short) 13);
            buf.clear();
            ch.write(buf, rootBlock * bs);
        }
    }
}
