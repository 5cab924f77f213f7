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
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EngineSmokeTest {
    @TempDir
    Path tmp;

    @Test
    void createWriteReadBackAfterReopenAndFsckClean() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("a.img"), 4096, 32 << 20, Images.PLAIN_FEATURES, null);
        byte[] payload = new byte[3 * 4096 * 1024 + 777];
        new Random(1).nextBytes(payload);
        long ino;
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long dir = fs.mkdir(FileSystem.ROOT_INO, "media", 0755, 0, 0);
            ino = fs.create(dir, "clip.ts", 0644, 0, 0);
            FileHandle h = fs.open(ino, true);
            for (int off = 0; off < payload.length; off += 100_000) {
                fs.write(h, off, ByteBuffer.wrap(payload, off, Math.min(100_000, payload.length - off)));
            }
            fs.release(h);
            fs.symlink(dir, "short", "clip.ts", 0, 0);
            fs.symlink(dir, "long", "x".repeat(300), 0, 0);
            assertEquals(FsException.class, assertThrows(FsException.class,
                    () -> fs.create(dir, "clip.ts", 0644, 0, 0)).getClass());
        }
        Images.assertFsckClean(img);
        try (Ext3FileSystem fs = Images.open(img, true)) {
            long dir = fs.lookup(FileSystem.ROOT_INO, "media");
            assertEquals(ino, fs.lookup(dir, "clip.ts"));
            assertEquals(payload.length, fs.getattr(ino).size());
            FileHandle h = fs.open(ino, false);
            ByteBuffer got = ByteBuffer.allocate(payload.length);
            while (got.hasRemaining()) {
                int n = fs.read(h, got.position(), got);
                assertTrue(n > 0);
            }
            assertArrayEquals(payload, got.array());
            assertEquals("clip.ts", fs.readlink(fs.lookup(dir, "short")));
            assertEquals("x".repeat(300), fs.readlink(fs.lookup(dir, "long")));
            FsException e = assertThrows(FsException.class, () -> fs.create(dir, "n", 0644, 0, 0));
            assertEquals(Errno.EROFS, e.errno());
            fs.release(h);
        }
    }
}
