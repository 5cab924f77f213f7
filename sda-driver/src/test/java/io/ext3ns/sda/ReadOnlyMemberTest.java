package io.ext3ns.sda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.sda.testing.LoopDevices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that cannot take writes is refused by a read-write open, before anything is written: a read-only loop
 * device (which opens O_RDWR fine and fails only at the first write with EPERM) and a file on a read-only file
 * system. Read-only opens of both work.
 */
class ReadOnlyMemberTest {
    @TempDir
    Path tmp;

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Test
    void aReadOnlyLoopDeviceIsRefusedForWriting() throws Exception {
        Assumptions.assumeTrue(LoopDevices.available(), "needs root and losetup");
        Path file = tmp.resolve("m");
        Files.write(file, new byte[1 << 20]);
        try (LoopDevices loops = new LoopDevices()) {
            Path dev = loops.attachReadOnly(file);
            ReadOnlyMemberException e = assertThrows(ReadOnlyMemberException.class,
                    () -> RawMember.open(dev, OpenOptions.READ_WRITE.exclusively()).close());
            assertTrue(e.getMessage().contains(dev + " is a read-only block device") && e.getMessage().contains("-o ro"),
                    e.getMessage());
            assertThrows(ReadOnlyMemberException.class, () -> BlockDevices.open(List.of(dev), OpenOptions.READ_WRITE));
            try (RawMember ro = RawMember.open(dev, OpenOptions.READ_ONLY)) {
                ByteBuffer b = AlignedBuffers.allocate(4096);
                ro.read(0, b);
            }
            Path writable = loops.attach(file);
            RawMember.open(writable, OpenOptions.READ_WRITE).close(); // the check refuses only read-only devices
        }
        assertArrayEquals(new byte[1 << 20], Files.readAllBytes(file));
    }

    @Test
    void aFileOnAReadOnlyFileSystemIsRefusedForWriting() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to mount a tmpfs");
        Path dir = Files.createDirectories(tmp.resolve("ro"));
        run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir.toString());
        try {
            Path file = dir.resolve("m");
            Files.write(file, new byte[1 << 20]);
            run("mount", "-o", "remount,ro", dir.toString());
            ReadOnlyMemberException e = assertThrows(ReadOnlyMemberException.class,
                    () -> RawMember.open(file, OpenOptions.READ_WRITE).close());
            assertTrue(e.getMessage().contains("read-only file system") && e.getMessage().contains("-o ro"),
                    e.getMessage());
            new FileMember(file, true).close();
        } finally {
            run("umount", dir.toString());
        }
    }
}
