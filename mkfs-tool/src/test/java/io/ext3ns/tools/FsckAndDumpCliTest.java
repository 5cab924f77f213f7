package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.EngineTrees;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fsck.ext3ns and dump.ext3ns as users run them: exit codes, messages, nothing written by -n. */
class FsckAndDumpCliTest {
    @TempDir
    Path dir;

    @Test
    void fsckExitCodesFollowE2fsck() throws Exception {
        Path img = dir.resolve("v.img");
        TestImages.format(img, 64L << 20, 1 << 20);
        EngineTrees.sampleTree(img);
        ExternalTool.Result clean = ToolProcess.run(FsckMain.class, "-f", img.toString());
        assertEquals(0, clean.exitCode(), clean.toString());
        assertTrue(clean.output().contains("Pass 5: Checking group summary information"));

        long bitmap;
        try (FileMember dev = new FileMember(img, true)) {
            bitmap = VolumeReader.open(dev).descriptor(0).blockBitmap();
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, bitmap * (1 << 20) + 5);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x10)}), bitmap * (1 << 20) + 5);
        }
        byte[] before = Files.readAllBytes(img);
        ExternalTool.Result n = ToolProcess.run(FsckMain.class, "-fn", img.toString());
        assertEquals(4, n.exitCode(), n.toString());
        assertTrue(n.output().contains("block bitmap differences"), n.output());
        assertArrayEquals(before, Files.readAllBytes(img), "-n writes nothing");

        ExternalTool.Result y = ToolProcess.run(FsckMain.class, "-f", "-y", img.toString());
        assertEquals(1, y.exitCode(), y.toString());
        assertTrue(y.output().contains("FILE SYSTEM WAS MODIFIED"), y.output());
        assertEquals(0, ToolProcess.run(FsckMain.class, "-f", "-n", img.toString()).exitCode());
    }

    @Test
    void unreadableVolumesExitEightWithOneLine() throws Exception {
        Path img = dir.resolve("t.img");
        TestImages.format(img, 16L << 20, 4096);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(4L << 20);
        }
        for (String[] args : new String[][] {{"-fn", img.toString()}, {"-fn", dir.resolve("absent").toString()},
            {"-fy", img.toString()}}) {
            ExternalTool.Result r = ToolProcess.run(FsckMain.class, args);
            assertEquals(8, r.exitCode(), r.toString());
            assertEquals(1, r.output().strip().lines().count(), r.output());
            assertFalse(r.output().contains("Exception") || r.output().contains("\tat "), r.output());
        }
        // a zeroed superblock
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1024), 1024);
        }
        ExternalTool.Result zero = ToolProcess.run(FsckMain.class, "-fn", img.toString());
        assertEquals(8, zero.exitCode());
        assertTrue(zero.output().contains("bad magic"), zero.output());
    }

    @Test
    void dumpShowsHeaderGroupsAndFileRuns() throws Exception {
        Path img = dir.resolve("d.img");
        TestImages.format(img, 32L * (128 << 10), TestImages.spec(128 << 10).label("dumped").build());
        EngineTrees.sampleTree(img);
        ExternalTool.Result all = ToolProcess.run(DumpMain.class, img.toString());
        assertEquals(0, all.exitCode(), all.toString());
        assertTrue(all.output().contains("Filesystem volume name:   dumped"), all.output());
        assertTrue(all.output().contains("Block size:               131072"), all.output());
        assertTrue(all.output().contains("Group 0: (Blocks 0-31) primary superblock"), all.output());

        ExternalTool.Result header = ToolProcess.run(DumpMain.class, "-h", img.toString());
        assertFalse(header.output().contains("Group 0"), header.output());

        ExternalTool.Result runs = ToolProcess.run(DumpMain.class, "--file", "/big", "--runs", img.toString());
        assertEquals(0, runs.exitCode(), runs.toString());
        assertTrue(runs.output().matches("(?s)/big: inode \\d+, " + EngineTrees.BIG_BLOCKS
                + " data blocks in \\d+ contiguous runs?\n.*"), runs.output());

        ExternalTool.Result absent = ToolProcess.run(DumpMain.class, "--file", "/nope", img.toString());
        assertEquals(1, absent.exitCode());
        assertTrue(absent.output().contains("/nope"), absent.output());
    }
}
