package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.sda.FileMember;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's ext3 driver (jbd2) replays a transaction our journal committed, at 4 KiB blocks. */
class KernelReplayTest {
    @TempDir
    Path tmp;

    @Test
    void kernelMountReplaysOurTransaction() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
        ImageFixture fx = ImageFixture.create(tmp, 4096);
        fx.commitWithoutCheckpoint(fx.renameChmodAndMagic());
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        double logEnd = kernelLogEnd();
        Ext3Tools.runOk("mount", "-o", "loop", "-t", "ext3", fx.img.toString(), mnt.toString());
        try {
            assertFalse(Files.exists(mnt.resolve("hello.txt")));
            byte[] content = Files.readAllBytes(mnt.resolve("howdy.txt"));
            assertArrayEquals(Arrays.copyOf(fx.magicDataBlock(), 100), content);
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(mnt.resolve("howdy.txt"))));
            assertEquals("inner", Files.readString(mnt.resolve("d/inner.txt")));
        } finally {
            Ext3Tools.runOk("umount", mnt.toString()); // mount -o loop detaches its loop device on umount
        }
        if (!Double.isNaN(logEnd)) {
            assertTrue(kernelRecoveriesAfter(logEnd) > 0, "the kernel logged no new 'recovery complete'");
        }
        Ext3Tools.Result check = Ext3Tools.run("e2fsck", "-fn", fx.img.toString());
        assertEquals(0, check.rc(), check.out());
    }

    @Test
    void kernelMountReplaysWhatTheJournalledEngineLeftAtACrash() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
        ImageFixture fx = ImageFixture.create(tmp, 4096);
        byte[] clip = new byte[30 * 4096 + 123];
        new Random(7).nextBytes(clip);
        FileMember dev = new FileMember(fx.img, false);
        Ext3FileSystem fs = Ext3FileSystem.open(dev,
                EngineOptions.defaults());
        long dir = fs.mkdir(FileSystem.ROOT_INO, "media", 0755, 0, 0);
        long ino = fs.create(dir, "clip.ts", 0644, 0, 0);
        FileHandle h = fs.open(ino, true);
        fs.write(h, 0, ByteBuffer.wrap(clip));
        fs.fsync(h);
        dev.close(); // crash: the engine is never closed, the journal keeps the last transaction
        assertTrue(Ext3Tools.debugfs(fx.img, "feature").contains("needs_recovery"));

        Path mnt = Files.createDirectories(tmp.resolve("mnt2"));
        Ext3Tools.runOk("mount", "-o", "loop", "-t", "ext3", fx.img.toString(), mnt.toString());
        try {
            assertArrayEquals(clip, Files.readAllBytes(mnt.resolve("media/clip.ts")));
            assertEquals("inner", Files.readString(mnt.resolve("d/inner.txt")));
        } finally {
            Ext3Tools.runOk("umount", mnt.toString());
        }
        Ext3Tools.Result check = Ext3Tools.run("e2fsck", "-fn", fx.img.toString());
        assertEquals(0, check.rc(), check.out());
    }

    /** How many "recovery complete" lines the kernel log holds, or -1 when it cannot be read. */
    /**
     * The time stamp of the kernel log's last line, or NaN where dmesg cannot be read or has no time stamps. Lines are
     * told apart by time stamp, not counted: once the ring buffer is full, every new line pushes an old one out.
     */
    private static double kernelLogEnd() throws Exception {
        Ext3Tools.Result r = Ext3Tools.run("dmesg");
        if (r.rc() != 0) {
            return Double.NaN;
        }
        return r.out().lines().mapToDouble(KernelReplayTest::stamp).filter(t -> !Double.isNaN(t)).max()
                .orElse(Double.NaN);
    }

    private static long kernelRecoveriesAfter(double stamp) throws Exception {
        return Ext3Tools.run("dmesg").out().lines()
                .filter(l -> l.contains("recovery complete") && stamp(l) > stamp).count();
    }

    /** "[16974.546185] EXT4-fs ..." → 16974.546185; NaN for a line without one. */
    private static double stamp(String line) {
        int close = line.indexOf(']');
        if (!line.startsWith("[") || close < 0) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(line.substring(1, close).trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
