package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.EngineTrees;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.StrictAlignedDevice;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 16 F and G: problems e2fsck finds that we missed, each found by both checkers and repaired by our -y so that
 * e2fsck -fn is clean afterwards; and JBD2 compat feature bits, which neither e2fsck nor we refuse.
 *
 * <p>e2fsck -n's exit code differs in two cases, stated here and in docs/format.md: an external journal UUID next
 * to the internal journal makes e2fsck look for a journal device and abort (exit 12; e2fsck -y cannot repair it,
 * we clear the UUID); an error number in the journal superblock makes e2fsck -n try to write and abort (exit 9; -y
 * clears it). We report both as errors (exit 4).
 */
class MissedProblemsTest {
    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    @BeforeAll
    static void fixture() throws Exception {
        assumeTrue(E2fsprogs.installed(), "e2fsprogs not installed");
        E2fsprogs.mke2fsWithTree(shared.resolve("clean.img"), 4096, 32L << 20,
                E2fsprogs.sampleTree(shared.resolve("tree")));
    }

    private static CheckReport ours(Path img, boolean fix, int alignment) throws IOException {
        try (StrictAlignedDevice dev = new StrictAlignedDevice(new FileMember(img, !fix), alignment)) {
            return VolumeChecker.check(dev, new CheckOptions(fix, true));
        }
    }

    private static void write(Path img, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    /** Block and in-block offset of the root's entry {@code name}. */
    private static long[] rootEntry(Path img, String name) throws IOException {
        try (FileMember dev = new FileMember(img, true)) {
            VolumeReader v = VolumeReader.open(dev);
            Inode root = v.readInode(2);
            long block = v.dataBlocks(2, root).get(0)[1];
            int off = new DirectoryBlock(v.readBlock(block)).find(name.getBytes(), "root").offset();
            return new long[] {block, off, v.geometry().blockSize()};
        }
    }

    private static long journalSuperblock(Path img) throws Exception {
        String out = E2fsprogs.debugfs(img, "bmap <8> 0");
        return Long.parseLong(out.lines().filter(l -> l.matches("\\d+")).findFirst().orElseThrow());
    }

    private static void corrupt(Path img, String what) throws Exception {
        long[] root = rootEntry(img, ".");
        long rootBlock = root[0] * root[2];
        switch (what) {
            case "dot-filetype" -> write(img, rootBlock + 7, new byte[] {1});
            case "dotdot-filetype" -> write(img, rootBlock + 12 + 7, new byte[] {1});
            // ext2 requires NUL after the names '.' and '..' (e2fsck's only NUL-termination rule; other names
            // are length-delimited and may be followed by anything)
            case "dot-not-nul-terminated" -> write(img, rootBlock + 9, new byte[] {'x'});
            case "dotdot-not-nul-terminated" -> write(img, rootBlock + 12 + 10, new byte[] {'x'});
            case "slash-in-name", "nul-in-name" -> {
                long[] e = rootEntry(img, "hosts");
                write(img, e[0] * e[2] + e[1] + DirectoryBlock.HEADER + 1,
                        new byte[] {(byte) (what.startsWith("slash") ? '/' : 0)});
            }
            case "imagic" -> E2fsprogs.debugfsWrite(img, "sif /hosts flags 0x2000");
            case "journal-uuid" -> E2fsprogs.debugfsWrite(img, "ssv journal_uuid " + TestImages.TEST_UUID);
            case "journal-errno" -> write(img, journalSuperblock(img) * 4096 + 0x20, new byte[] {-1, -1, -1, -5});
            case "journal-compat" -> write(img, journalSuperblock(img) * 4096 + 0x24, new byte[] {0, 0, 0, -127});
            default -> throw new IllegalArgumentException(what);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "dot-filetype, 4, incorrect filetype", "dotdot-filetype, 4, incorrect filetype",
        "dot-not-nul-terminated, 4, not NUL terminated", "dotdot-not-nul-terminated, 4, not NUL terminated",
        "slash-in-name, 4, illegal characters", "nul-in-name, 4, illegal characters",
        "imagic, 4, imagic flag", "journal-uuid, 12, external journal", "journal-errno, 9, records error -5",
    })
    void foundByBothAndRepairedSoE2fsckIsClean(String what, int e2fsckExit, String message) throws Exception {
        Path img = dir.resolve("bad.img");
        SparseCopy.copy(shared.resolve("clean.img"), img);
        corrupt(img, what);
        ExternalTool.Result e2 = E2fsprogs.checkReadOnly(img);
        assertEquals(e2fsckExit, e2.exitCode(), e2.toString());
        CheckReport r = ours(img, false, 4096);
        assertEquals(CheckReport.EXIT_UNCORRECTED, r.exitCode(), r.found() + " " + r.operationalError());
        assertTrue(r.found().stream().anyMatch(p -> p.message().contains(message)), r.found().toString());

        CheckReport fixed = ours(img, true, 4096);
        assertEquals(CheckReport.EXIT_FIXED, fixed.exitCode(), fixed.remaining().toString());
        ExternalTool.Result after = E2fsprogs.checkReadOnly(img);
        assertEquals(0, after.exitCode(), after.toString());
        assertEquals(0, ours(img, false, 4096).exitCode());
        if (what.endsWith("-in-name")) {
            assertTrue(E2fsprogs.debugfs(img, "cat /h.sts").contains("localhost"), "renamed as e2fsck renames");
        }
    }

    /** G: an unknown compat feature bit in the journal superblock is ignored by e2fsck, our checker and the mount. */
    @ParameterizedTest
    @ValueSource(strings = {"journal-compat"})
    void unknownJournalCompatFeaturesAreIgnored(String what) throws Exception {
        Path img = dir.resolve("compat.img");
        SparseCopy.copy(shared.resolve("clean.img"), img);
        corrupt(img, what);
        assertEquals(0, E2fsprogs.checkReadOnly(img).exitCode());
        CheckReport r = ours(img, false, 4096);
        assertEquals(0, r.exitCode(), r.found().toString());
        EngineOptions opts = EngineOptions.defaults().withCaches(8L << 20, 8L << 20);
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), opts)) {
            fs.mkdir(2, "made-after", 0755, 0, 0);
            fs.sync();
        }
        assertEquals(0, E2fsprogs.checkReadOnly(img).exitCode());
    }

    /** The same repairs at 1 MiB blocks, where our checker is the only judge. */
    @ParameterizedTest
    @ValueSource(strings = {"dot-filetype", "slash-in-name", "imagic"})
    void repairedAtOneMebibyteBlocks(String what) throws Exception {
        int bs = 1 << 20;
        Path img = dir.resolve("large.img");
        TestImages.format(img, 48L * bs, bs);
        EngineTrees.sampleTree(img);
        long[] dot = rootEntry(img, ".");
        switch (what) {
            case "dot-filetype" -> write(img, dot[0] * bs + 7, new byte[] {1});
            case "slash-in-name" -> {
                long[] e = rootEntry(img, "small");
                write(img, e[0] * bs + e[1] + DirectoryBlock.HEADER + 1, new byte[] {'/'});
            }
            case "imagic" -> {
                try (FileMember dev = new FileMember(img, false)) {
                    VolumeReader v = VolumeReader.open(dev);
                    Repairs w = new Repairs(v, TestImages.TEST_TIME);
                    w.updateInode(v.lookup("/small"), in -> in.setFlags(in.flags() | Inode.FL_IMAGIC));
                    w.finish();
                }
            }
            default -> throw new IllegalArgumentException(what);
        }
        assertEquals(CheckReport.EXIT_UNCORRECTED, ours(img, false, bs).exitCode());
        CheckReport fixed = ours(img, true, bs);
        assertEquals(CheckReport.EXIT_FIXED, fixed.exitCode(), fixed.remaining().toString());
        CheckReport after = ours(img, false, bs);
        assertEquals(0, after.exitCode(), after.found().toString());
    }
}
