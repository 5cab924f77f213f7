package io.ext3ns.fs.crash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commits running all the time from another thread (as the mount's periodic commit) while files are written in pieces
 * and overwritten: every commit writes the gathered data of the open files first (the write-back's data flusher);
 * nothing written may be lost or land in the wrong place.
 */
class CommitRaceTest {
    @TempDir
    Path tmp;

    @Test
    void piecesWrittenWhileCommitsRunLandExactly() throws Exception {
        Path img = tmp.resolve("race.img");
        TestImages.format(img, 64L << 20, TestImages.spec(4096).journalBlocks(1024).build());
        Random rnd = new Random(7);
        EngineOptions opts = EngineOptions.defaults().withCaches(8L << 20, 16L << 20);
        byte[][] contents = new byte[200][];
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), opts)) {
            AtomicBoolean stop = new AtomicBoolean();
            Thread committer = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        fs.sync();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }
            });
            committer.start();
            for (int f = 0; f < contents.length; f++) {
                byte[] c = new byte[1 + rnd.nextInt(20 * 4096)];
                rnd.nextBytes(c);
                long ino = fs.create(FileSystem.ROOT_INO, "f" + f, 0644, 0, 0);
                FileHandle h = fs.open(ino, true);
                int off = 0;
                while (off < c.length) {
                    int n = Math.min(c.length - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 512 : 8192));
                    fs.write(h, off, ByteBuffer.wrap(c, off, n));
                    off += n;
                }
                fs.release(h);
                h = fs.open(ino, true);
                for (int k = 0; k < 5; k++) { // overwrites read the blocks back through the data cache
                    int at = rnd.nextInt(c.length);
                    int n = Math.min(c.length - at, 1 + rnd.nextInt(4096));
                    byte[] piece = new byte[n];
                    rnd.nextBytes(piece);
                    System.arraycopy(piece, 0, c, at, n);
                    fs.write(h, at, ByteBuffer.wrap(piece));
                }
                fs.release(h);
                contents[f] = c;
            }
            stop.set(true);
            committer.join();
        }
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, true), EngineOptions.readOnlyDefaults())) {
            for (int f = 0; f < contents.length; f++) {
                long ino = fs.lookup(FileSystem.ROOT_INO, "f" + f);
                FileHandle h = fs.open(ino, false);
                byte[] got = MixedWorkload.readAll(fs, h, fs.getattr(ino).size());
                fs.release(h);
                assertArrayEquals(contents[f], got, "file f" + f);
            }
        }
    }
}
