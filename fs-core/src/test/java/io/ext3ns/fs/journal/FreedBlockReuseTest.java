package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.sda.FileMember;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file deleted but not yet committed keeps its blocks until the delete commits: a crash after another file's data
 * was written must find the deleted file intact (its delete never happened), not pointing at the other file's data
 * or at an indirect block full of it.
 */
class FreedBlockReuseTest {
    @TempDir
    Path tmp;

    @Test
    void blocksOfAnUncommittedDeleteAreNotReusedBeforeItCommits() throws Exception {
        ImageFixture fx = ImageFixture.create(tmp, 4096);
        byte[] x = pattern(40 * 4096, (byte) 'x'); // 40 blocks: 12 direct + an indirect block
        byte[] y = pattern(40 * 4096, (byte) 'y');
        EngineOptions opts = EngineOptions.defaults().withCaches(8L << 20, 16L << 20);
        FileMember dev = new FileMember(fx.img, false);
        Ext3FileSystem fs = Ext3FileSystem.open(dev, opts);
        writeFile(fs, "x", x, true);
        fs.unlink(FileSystem.ROOT_INO, "x");
        writeFile(fs, "y", y, false); // y's data reaches the device; its metadata and x's delete do not commit
        dev.close(); // crash: the engine is never closed

        try (FileMember d = new FileMember(fx.img, false)) {
            Journal.recoverIfNeeded(d);
        }
        Ext3Tools.Result fsck = Ext3Tools.run("e2fsck", "-fn", fx.img.toString());
        assertEquals(0, fsck.rc(), fsck.out());
        try (FileMember d = new FileMember(fx.img, true)) {
            CheckReport ours = VolumeChecker.check(d, CheckOptions.READ_ONLY_FORCED);
            assertTrue(ours.clean(), ours.toString());
        }
        try (Ext3FileSystem ro = Ext3FileSystem.open(new FileMember(fx.img, true), EngineOptions.readOnlyDefaults())) {
            long ino = ro.lookup(FileSystem.ROOT_INO, "x");
            FileHandle h = ro.open(ino, false);
            assertArrayEquals(x, readAll(ro, h, ro.getattr(ino).size()), "x as it was committed");
            ro.release(h);
            assertThrows(FsException.class, () -> ro.lookup(FileSystem.ROOT_INO, "y"));
        }
    }

    private static byte[] pattern(int size, byte fill) {
        byte[] b = new byte[size];
        Arrays.fill(b, fill);
        for (int i = 0; i < size; i += 4096) {
            b[i] = (byte) (i / 4096);
        }
        return b;
    }

    private static void writeFile(Ext3FileSystem fs, String name, byte[] content, boolean fsync) throws Exception {
        long ino = fs.create(FileSystem.ROOT_INO, name, 0644, 0, 0);
        FileHandle h = fs.open(ino, true);
        fs.write(h, 0, ByteBuffer.wrap(content));
        if (fsync) {
            fs.fsync(h);
        }
        fs.release(h);
    }

    private static byte[] readAll(Ext3FileSystem fs, FileHandle h, long size) throws FsException {
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size));
        while (buf.hasRemaining() && fs.read(h, buf.position(), buf) > 0) {
            // read returns at most what is left
        }
        return buf.array();
    }
}
