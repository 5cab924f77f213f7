package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour the model test cannot see: deferred deletion of open files, large directories, file size limits. */
class NamespaceBehaviourTest {
    @TempDir
    Path tmp;

    @Test
    void anUnlinkedFileLivesUntilItsLastHandleIsReleased() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("u.img"), 4096, 32 << 20, Images.PLAIN_FEATURES, null);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long freeBefore = fs.statfs().freeBlocks();
            long ino = fs.create(FileSystem.ROOT_INO, "tmp", 0644, 0, 0);
            FileHandle w = fs.open(ino, true);
            byte[] data = new byte[1 << 20];
            Arrays.fill(data, (byte) 7);
            fs.write(w, 0, ByteBuffer.wrap(data));
            FileHandle r = fs.open(ino, false);
            fs.unlink(FileSystem.ROOT_INO, "tmp");
            assertEquals(Errno.ENOENT, assertThrows(FsException.class,
                    () -> fs.lookup(FileSystem.ROOT_INO, "tmp")).errno());
            fs.write(w, data.length, ByteBuffer.wrap(data));
            fs.release(w);
            ByteBuffer got = ByteBuffer.allocate(2 * data.length);
            while (got.hasRemaining()) {
                assertTrue(fs.read(r, got.position(), got) > 0);
            }
            assertEquals(7, got.get(2 * data.length - 1));
            assertTrue(fs.statfs().freeBlocks() < freeBefore - 500, "space still held while open");
            fs.release(r);
            assertEquals(freeBefore, fs.statfs().freeBlocks(), "space returned on last release");
        }
        Images.assertFsckClean(img);
    }

    @Test
    void aCrashWithAnUnlinkedOpenFileFreesItAtTheNextMount() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("o.img"), 4096, 32 << 20, Images.PLAIN_FEATURES, null);
        long freeBefore;
        Ext3FileSystem crashed = Images.open(img, false);
        freeBefore = crashed.statfs().freeBlocks();
        long keep = crashed.create(FileSystem.ROOT_INO, "keep", 0644, 0, 0);
        FileHandle[] open = new FileHandle[3];
        for (int i = 0; i < open.length; i++) {
            long ino = crashed.create(FileSystem.ROOT_INO, "gone" + i, 0644, 0, 0);
            open[i] = crashed.open(ino, true);
            crashed.write(open[i], 0, ByteBuffer.wrap(new byte[300_000]));
            crashed.unlink(FileSystem.ROOT_INO, "gone" + i);
        }
        crashed.release(open[1]); // taken off the middle of the orphan chain
        crashed.sync(); // then the process dies: the other two are never released, the volume never closed
        try (Ext3FileSystem fs = Images.open(img, false)) {
            assertEquals(freeBefore, fs.statfs().freeBlocks(), "orphans freed at mount");
            assertEquals(keep, fs.lookup(FileSystem.ROOT_INO, "keep"));
        }
        Images.assertFsckClean(img);
    }

    @Test
    void lookupsInAHundredThousandEntryDirectoryDoNotScanIt() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("big.img"), 4096, 256L << 20, Images.PLAIN_FEATURES, null,
                "-N", "110000");
        int n = 100_000;
        try (Ext3FileSystem fs = Ext3FileSystem.open(new io.ext3ns.sda.FileMember(img, false),
                EngineOptions.defaults().withCaches(64L << 20, 0))) {
            long dir = fs.mkdir(FileSystem.ROOT_INO, "big", 0755, 0, 0);
            for (int i = 0; i < n; i++) {
                fs.create(dir, "file-" + i, 0644, 0, 0);
            }
            long dirBlocks = fs.getattr(dir).size() / 4096;
            assertTrue(dirBlocks > 400, "directory of " + dirBlocks + " blocks");
            long before = fs.metadataBlockAccesses();
            for (int i = 0; i < 1000; i++) {
                fs.lookup(dir, "file-" + (i * 97 % n));
            }
            long perLookup = (fs.metadataBlockAccesses() - before) / 1000;
            assertTrue(perLookup <= 2, perLookup + " metadata block accesses per lookup in " + dirBlocks
                    + " directory blocks");
            assertEquals(Errno.ENOENT, assertThrows(FsException.class, () -> fs.lookup(dir, "nope")).errno());
        }
        Images.assertFsckClean(img);
    }

    @Test
    void writesBeyondTheLargestFileGiveEfbig() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("efbig.img"), 1024, 16 << 20, Images.PLAIN_FEATURES, null);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long ino = fs.create(FileSystem.ROOT_INO, "f", 0644, 0, 0);
            long max = new io.ext3ns.fs.disk.BlockMapShape(1024).maxFileSize();
            FileHandle h = fs.open(ino, true);
            assertEquals(Errno.EFBIG, assertThrows(FsException.class,
                    () -> fs.write(h, max, ByteBuffer.wrap(new byte[1]))).errno());
            assertEquals(Errno.EFBIG, assertThrows(FsException.class, () -> fs.truncate(ino, max + 1)).errno());
            fs.truncate(ino, max); // a sparse file of the largest size is fine
            byte[] one = {42};
            fs.write(h, max - 1, ByteBuffer.wrap(one));
            ByteBuffer got = ByteBuffer.allocate(1);
            assertEquals(1, fs.read(h, max - 1, got));
            assertArrayEquals(one, got.array());
            fs.release(h);
            fs.truncate(ino, 0);
        }
        Images.assertFsckClean(img);
    }

    @Test
    void renameRefusesMovingADirectoryIntoItself() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("r.img"), 4096, 16 << 20, Images.PLAIN_FEATURES, null);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long a = fs.mkdir(FileSystem.ROOT_INO, "a", 0755, 0, 0);
            long b = fs.mkdir(a, "b", 0755, 0, 0);
            assertEquals(Errno.EINVAL, assertThrows(FsException.class,
                    () -> fs.rename(FileSystem.ROOT_INO, "a", b, "x")).errno());
            assertEquals(Errno.EINVAL, assertThrows(FsException.class,
                    () -> fs.rename(FileSystem.ROOT_INO, "a", a, "x")).errno());
            fs.rename(a, "b", FileSystem.ROOT_INO, "b");
            assertEquals(FileSystem.ROOT_INO, fs.lookup(b, ".."));
            assertEquals(2, fs.getattr(a).nlink());
        }
        Images.assertFsckClean(img);
    }
}
