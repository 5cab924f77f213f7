package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A full volume: ENOSPC comes back, the volume stays consistent, and freeing space makes it usable again. */
class EnospcTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({"4096, 8", "65536, 32", "131072, 32", "1048576, 64", "2097152, 128"})
    void fillingTheVolumeGivesEnospcAndFreeingSpaceRecovers(int bs, int mib) throws Exception {
        Path img = tmp.resolve("full.img");
        boolean e2fsck = bs <= 65536;
        if (e2fsck) {
            Images.mke2fs(img, bs, (long) mib << 20, Images.PLAIN_FEATURES, null);
        } else {
            Images.ours(img, bs, (long) mib << 20);
        }
        byte[] chunk = new byte[Math.max(bs, 64 << 10)];
        java.util.Arrays.fill(chunk, (byte) 0x5A);
        List<String> names = new ArrayList<>();
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long dir = fs.mkdir(FileSystem.ROOT_INO, "fill", 0755, 0, 0);
            FsException full = null;
            for (int i = 0; full == null; i++) {
                String name = "f" + i;
                long ino;
                try {
                    ino = fs.create(dir, name, 0644, 0, 0);
                } catch (FsException e) {
                    full = e;
                    break;
                }
                names.add(name);
                FileHandle h = fs.open(ino, true);
                try {
                    for (long off = 0; off < 3L * chunk.length; off += chunk.length) {
                        fs.write(h, off, ByteBuffer.wrap(chunk));
                    }
                } catch (FsException e) {
                    full = e;
                } finally {
                    fs.release(h);
                }
            }
            assertEquals(Errno.ENOSPC, full.errno(), full.getMessage());
            assertTrue(fs.statfs().freeBlocks() < 3L * chunk.length / bs + 2, "volume is really full");
            // creating an empty file or a directory may still work or fail, but only with ENOSPC
            try {
                fs.mkdir(dir, "one-more", 0755, 0, 0);
            } catch (FsException e) {
                assertEquals(Errno.ENOSPC, e.errno());
            }
        }
        if (e2fsck) {
            Images.assertFsckClean(img);
        }
        Images.assertOurFsckClean(img);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long dir = fs.lookup(FileSystem.ROOT_INO, "fill");
            long before = fs.statfs().freeBlocks();
            for (int i = 0; i < names.size(); i += 2) {
                fs.unlink(dir, names.get(i));
            }
            assertTrue(fs.statfs().freeBlocks() > before + names.size() / 2, "space came back");
            long ino = fs.create(dir, "after", 0644, 0, 0);
            FileHandle h = fs.open(ino, true);
            fs.write(h, 0, ByteBuffer.wrap(chunk));
            fs.release(h);
            assertEquals(chunk.length, fs.getattr(ino).size());
        }
        if (e2fsck) {
            Images.assertFsckClean(img);
        }
        Images.assertOurFsckClean(img);
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({"4096"})
    void runningOutOfInodesGivesEnospc(int bs) throws Exception {
        Path img = Images.mke2fs(tmp.resolve("inodes.img"), bs, 4 << 20, Images.PLAIN_FEATURES, null);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long free = fs.statfs().freeInodes();
            for (long i = 0; i < free; i++) {
                fs.create(FileSystem.ROOT_INO, "e" + i, 0644, 0, 0);
            }
            FsException e = assertThrows(FsException.class, () -> fs.create(FileSystem.ROOT_INO, "last", 0644, 0, 0));
            assertEquals(Errno.ENOSPC, e.errno());
            fs.unlink(FileSystem.ROOT_INO, "e0");
            fs.create(FileSystem.ROOT_INO, "last", 0644, 0, 0);
        }
        Images.assertFsckClean(img);
    }
}
