package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.LoopMount;
import io.ext3ns.fs.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mkfs.ext3ns refuses, writing nothing, what it must not format without -F; and it creates sparse members. */
class MkfsSafetyTest {
    @TempDir
    Path dir;

    private static byte[] digest(Path p) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
    }

    private static ExternalTool.Result mkfs(String... args) throws Exception {
        return ToolProcess.run(MkfsMain.class, args);
    }

    @Test
    void refusesAnExistingFileSystemUnlessForced() throws Exception {
        assumeTrue(E2fsprogs.installed(), "e2fsprogs not installed");
        Path img = dir.resolve("old.img");
        E2fsprogs.mke2fsWithTree(img, 4096, 16L << 20, null);
        byte[] before = digest(img);
        ExternalTool.Result r = mkfs("-b", "4K", img.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.output().contains("contains an ext2/ext3 file system"), r.output());
        assertEquals(1, r.output().strip().lines().count(), "one line: " + r.output());
        assertArrayEquals(before, digest(img), "nothing written");

        ExternalTool.Result forced = mkfs("-q", "-F", "-b", "4K", img.toString());
        assertEquals(0, forced.exitCode(), forced.toString());
        assertEquals(0, E2fsprogs.checkReadOnly(img).exitCode());
        assertEquals("", forced.output().strip(), "-q prints nothing");
    }

    @Test
    void refusesAnArrayMemberAndBuildsArrays() throws Exception {
        Path m0 = dir.resolve("m0");
        Path m1 = dir.resolve("m1");
        ExternalTool.Result made = mkfs("-q", "-b", "1M", "--layout", "raid0", "--size", "96M", m0 + "," + m1);
        assertEquals(0, made.exitCode(), made.toString());
        assertEquals(0, ToolProcess.run(FsckMain.class, "-f", m0.toString(), m1.toString()).exitCode());
        byte[] before = digest(m0);
        ExternalTool.Result r = mkfs("-b", "1M", m0.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.output().contains("Stream Disk Array member"), r.output());
        assertArrayEquals(before, digest(m0));
    }

    @Test
    void refusesAMountedMember() throws Exception {
        assumeTrue(LoopMount.possible(), "needs root to mount");
        Path img = dir.resolve("mounted.img");
        TestImages.format(img, 16L << 20, 4096);
        try (LoopMount m = LoopMount.readOnly(img, "ext2", dir.resolve("mnt"))) {
            assertTrue(m.mounted(), m.result().toString());
            byte[] before = digest(img);
            ExternalTool.Result r = mkfs("-b", "4K", img.toString());
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.output().contains("is mounted on " + m.path()) && r.output().contains("/dev/loop"),
                    r.output());
            assertArrayEquals(before, digest(img));
        }
    }

    /** The CLI's default 4 KiB volume (journal by the default policy) mounts with the kernel's ext3 driver. */
    @Test
    void kernelExt3MountsWhatTheCliMakes() throws Exception {
        assumeTrue(LoopMount.possible(), "needs root to mount");
        Path img = dir.resolve("cli.img");
        ExternalTool.Result made = mkfs("-q", "-b", "4K", "--size", "64M", img.toString());
        assertEquals(0, made.exitCode(), made.toString());
        try (LoopMount m = LoopMount.readOnly(img, "ext3", dir.resolve("mnt3"))) {
            m.assertEmptyVolume("ext3");
        }
        assertEquals("", LoopMount.loopDevicesOf(img));
    }

    @Test
    void refusesAPartitionTableOrSwap() throws Exception {
        Path disk = TestImages.sparseFile(dir.resolve("disk.img"), 16L << 20);
        try (var ch = java.nio.channels.FileChannel.open(disk, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x55, (byte) 0xAA}), 510);
        }
        byte[] before = digest(disk);
        ExternalTool.Result r = mkfs("-b", "4K", disk.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.output().contains("partition table"), r.output());
        assertArrayEquals(before, digest(disk));
        if (ExternalTool.available("mkswap")) {
            Path swap = TestImages.sparseFile(dir.resolve("swap.img"), 16L << 20);
            assertEquals(0, ExternalTool.run("mkswap", swap.toString()).exitCode());
            ExternalTool.Result s = mkfs("-b", "4K", swap.toString());
            assertEquals(1, s.exitCode(), s.toString());
            assertTrue(s.output().contains("swap area"), s.output());
        }
    }

    @Test
    void createsMissingMembersSparseAndRefusesBadInputCleanly() throws Exception {
        Path img = dir.resolve("new.img");
        ExternalTool.Result missing = mkfs("-b", "64K", img.toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.output().contains("give --size"), missing.output());
        assertFalse(Files.exists(img));

        ExternalTool.Result badSize = mkfs("-b", "3K", "--size", "16M", img.toString());
        assertEquals(1, badSize.exitCode());
        assertTrue(badSize.output().contains("power of two"), badSize.output());
        assertFalse(badSize.output().contains("Exception"), badSize.output());
        assertFalse(Files.exists(img), "nothing created on bad input");

        ExternalTool.Result ok = mkfs("-q", "-b", "1M", "--size", "1G", img.toString());
        assertEquals(0, ok.exitCode(), ok.toString());
        assertEquals(1L << 30, Files.size(img));
        long allocated = Long.parseLong(ExternalTool.run("stat", "-c", "%b", img.toString()).output().trim()) * 512;
        assertTrue(allocated < (64L << 20), "sparse: " + allocated + " bytes allocated");
    }
}
