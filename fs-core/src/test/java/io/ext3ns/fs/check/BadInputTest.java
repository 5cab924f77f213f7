package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images the checker cannot read end in an operational error (exit 8) with a one-line message that names the
 * problem, quickly, without exceptions and without allocating on the bad counts.
 */
class BadInputTest {
    @TempDir
    Path dir;

    /** Little-endian field of the primary superblock (at byte 1024). */
    private static void putSuperblockField(Path img, int offset, int width, long value) throws Exception {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(width).order(ByteOrder.LITTLE_ENDIAN);
            if (width == 2) {
                b.putShort((short) value);
            } else {
                b.putInt((int) value);
            }
            ch.write(b.flip(), 1024 + offset);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "truncated image, the superblock says",
        "zeroed superblock, bad magic",
        "absurd inode count, inodes count",
        "absurd blocks per group, does not fit",
        "absurd inodes per group, inodes per group",
        "absurd block size, log block size",
        "huge block count, inodes count",
        "descriptor outside its group, outside",
        "empty device, too small",
    })
    void unreadableVolumeIsAnOperationalError(String damage, String expected) throws Exception {
        Path img = dir.resolve("bad.img");
        TestImages.format(img, 16L << 20, 4096);
        switch (damage) {
            case "truncated image" -> truncate(img, 8L << 20);
            case "zeroed superblock" -> {
                for (int off = 0; off < 1024; off += 4) {
                    putSuperblockField(img, off, 4, 0);
                }
            }
            case "absurd inode count" -> putSuperblockField(img, 0x00, 4, 0xFFFF_FFF0L);
            case "absurd blocks per group" -> {
                putSuperblockField(img, 0x20, 4, 8);
                putSuperblockField(img, 0x24, 4, 8);
                putSuperblockField(img, 0x00, 4, 4096L / 8 * 1024); // consistent: 512 groups of 1024 inodes
            }
            case "absurd inodes per group" -> {
                putSuperblockField(img, 0x28, 4, 1001);
                putSuperblockField(img, 0x00, 4, 1001);
            }
            case "absurd block size" -> putSuperblockField(img, 0x18, 4, 40);
            case "huge block count" -> putSuperblockField(img, 0x04, 4, 0xFFFF_FFFFL);
            case "descriptor outside its group" -> {
                try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
                    ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 999_999), 4096);
                }
            }
            case "empty device" -> truncate(img, 0);
            default -> throw new IllegalArgumentException(damage);
        }
        CheckReport r = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (FileMember dev = new FileMember(img, true)) {
                return VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
            }
        });
        assertEquals(CheckReport.EXIT_OPERATIONAL, r.exitCode(), String.valueOf(r.operationalError()));
        assertTrue(r.operationalError().contains(expected), r.operationalError());
        assertFalse(r.operationalError().contains("\n"), "one line");
        assertFalse(r.operationalError().contains("Exception"), r.operationalError());
    }

    private static void truncate(Path img, long size) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(size);
        }
    }
}
