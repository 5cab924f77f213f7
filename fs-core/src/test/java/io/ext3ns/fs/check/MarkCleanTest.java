package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16 A: fsck -y leaves a volume it found consistent (or made consistent) marked clean, as e2fsck does, so a
 * volume without a journal that crashed, or one marked with errors, mounts read-write again. fsck -n changes nothing.
 */
class MarkCleanTest {
    @TempDir
    Path tmp;

    private static int state(Path img) throws Exception {
        try (FileMember dev = new FileMember(img, true)) {
            return VolumeReader.open(dev).superblock().state();
        }
    }

    private static void setState(Path img, int state) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(Superblock.OFFSET + 0x3A);
            f.write(new byte[] {(byte) state, (byte) (state >>> 8)});
        }
    }

    private static CheckReport fsck(Path img, boolean fix) throws Exception {
        try (FileMember dev = new FileMember(img, !fix)) {
            return VolumeChecker.check(dev, new CheckOptions(fix, true));
        }
    }

    @ParameterizedTest(name = "{0}-byte blocks, state {1}")
    @CsvSource({"4096, 0", "1048576, 0", "4096, 3", "1048576, 3"})
    void fsckYesMarksAConsistentVolumeClean(int bs, int leftState) throws Exception {
        Path img = tmp.resolve("v.img");
        TestImages.format(img, bs == 4096 ? 32L << 20 : 256L << 20, bs); // no journal: ext2 style
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), EngineOptions.defaults())) {
            long ino = fs.create(FileSystem.ROOT_INO, "a", 0644, 0, 0);
            FileHandle h = fs.open(ino, true);
            fs.write(h, 0, ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
            fs.fsync(h);
            fs.release(h);
        }
        // what a crash of the mount leaves (0: not clean) or an error it recorded (3: valid with errors)
        setState(img, leftState);
        try (FileMember dev = new FileMember(img, false)) {
            FsException refused = assertThrows(FsException.class,
                    () -> Ext3FileSystem.open(dev, EngineOptions.defaults()).close());
            assertEquals(Errno.EROFS, refused.errno());
        }
        CheckReport readOnly = fsck(img, false);
        assertEquals(0, readOnly.exitCode(), readOnly.remaining().toString());
        assertEquals(leftState, state(img), "fsck -n writes nothing");

        CheckReport fixed = fsck(img, true);
        assertEquals(CheckReport.EXIT_FIXED, fixed.exitCode(), fixed.found() + " " + fixed.remaining());
        assertTrue(fixed.found().stream().anyMatch(p -> p.message().contains("marked clean")), fixed.found().toString());
        assertEquals(Superblock.STATE_VALID, state(img));
        assertEquals(0, fsck(img, false).exitCode());
        if (bs <= 65536 && E2fsprogs.installed()) {
            assertEquals(0, E2fsprogs.checkReadOnly(img).exitCode(), "e2fsck -fn agrees");
        }
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), EngineOptions.defaults())) {
            assertTrue(fs.lookup(FileSystem.ROOT_INO, "a") > 0, "mounts read-write again with its file");
        }
        assertEquals(CheckReport.EXIT_CLEAN, fsck(img, true).exitCode(), "a clean volume is left as it is");
    }

    /**
     * Marking clean must not undo the round's repairs: the superblock written last is the one the final scan read,
     * with the free counts the repairs set (a crash left them stale), so e2fsck -fn then prints the same counts.
     */
    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({"4096", "1048576"})
    void markingCleanKeepsTheRepairedFreeCounts(int bs) throws Exception {
        Path img = tmp.resolve("v.img");
        TestImages.format(img, bs == 4096 ? 32L << 20 : 256L << 20, bs);
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), EngineOptions.defaults())) {
            long ino = fs.create(FileSystem.ROOT_INO, "a", 0644, 0, 0);
            FileHandle h = fs.open(ino, true);
            fs.write(h, 0, ByteBuffer.wrap(new byte[3 * bs]));
            fs.fsync(h);
            fs.release(h);
        }
        long free;
        try (FileMember dev = new FileMember(img, true)) {
            free = VolumeReader.open(dev).superblock().freeBlocksCount();
        }
        setState(img, 0); // a crash: not clean
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) { // s_free_blocks_count, stale by 9
            long stale = free + 9;
            f.seek(Superblock.OFFSET + 0x0C);
            f.write(new byte[] {(byte) stale, (byte) (stale >>> 8), (byte) (stale >>> 16), (byte) (stale >>> 24)});
        }
        CheckReport fixed = fsck(img, true);
        assertTrue(fixed.found().stream().anyMatch(p -> p.message().contains("marked clean")), fixed.found().toString());
        try (FileMember dev = new FileMember(img, true)) {
            Superblock sb = VolumeReader.open(dev).superblock();
            assertEquals(free, sb.freeBlocksCount(), "the repaired free count survives marking clean");
            assertEquals(Superblock.STATE_VALID, sb.state());
        }
        if (bs <= 65536 && E2fsprogs.installed()) {
            io.ext3ns.fs.testing.ExternalTool.Result r = E2fsprogs.checkReadOnly(img);
            assertEquals(0, r.exitCode(), r.output());
            String last = r.output().strip().lines().reduce((a, b) -> b).orElse("");
            assertEquals(last.replaceFirst("^[^:]*:", ""), fsck(img, false).summaryLine().replaceFirst("^[^:]*:", ""),
                    "e2fsck's and our counts");
        }
    }
}
