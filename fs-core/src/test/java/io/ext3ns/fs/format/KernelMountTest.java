package io.ext3ns.fs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's ext3 driver mounts a 4 KiB volume our formatter made (with the JBD2 journal the kernel's ext3 mode
 * requires) and sees an empty root holding lost+found. Always unmounted, and its loop device detached, in finally.
 */
class KernelMountTest {
    @TempDir
    Path dir;

    @Test
    void kernelExt3MountsOurFourKilobyteVolume() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount");
        assumeTrue(Files.readString(Path.of("/proc/filesystems")).contains("ext3")
                || Files.readString(Path.of("/proc/filesystems")).contains("ext4"), "no ext3 driver");
        Path img = dir.resolve("k.img");
        TestImages.format(img, 32L << 20, TestImages.spec(4096).label("kernel").journalBlocks(1024).build());
        Path mnt = Files.createDirectory(dir.resolve("mnt"));
        ExternalTool.Result mount = ExternalTool.run("mount", "-o", "loop,ro", "-t", "ext3", img.toString(),
                mnt.toString());
        try {
            assertEquals(0, mount.exitCode(), mount.toString());
            List<String> names;
            try (Stream<Path> s = Files.list(mnt)) {
                names = s.map(p -> p.getFileName().toString()).toList();
            }
            assertEquals(List.of("lost+found"), names);
            assertTrue(Files.isDirectory(mnt.resolve("lost+found")));
            try (Stream<Path> s = Files.list(mnt.resolve("lost+found"))) {
                assertEquals(0, s.count());
            }
            String fsType = ExternalTool.run("findmnt", "-n", "-o", "FSTYPE", mnt.toString()).output().trim();
            assertEquals("ext3", fsType);
        } finally {
            if (mount.exitCode() == 0) {
                ExternalTool.Result umount = ExternalTool.run("umount", mnt.toString());
                if (umount.exitCode() != 0) {
                    ExternalTool.run("umount", "-l", mnt.toString());
                }
            }
            detachLoops(img);
        }
        assertEquals("", ExternalTool.run("losetup", "-j", img.toString()).output().trim(), "loop device left");
    }

    /** Detaches any loop device still backed by the image (mount -o loop normally auto-clears it). */
    private static void detachLoops(Path img) throws Exception {
        for (String line : ExternalTool.run("losetup", "-j", img.toString()).output().split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.startsWith("/dev/loop")) {
                ExternalTool.run("losetup", "-d", line.substring(0, colon));
            }
        }
    }
}
