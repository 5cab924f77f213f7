package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 16 C: a corrupt field the mount trusts (group descriptors placed over the superblock, the descriptor table or
 * each other; a root inode that is not a directory; a bad orphan list head) refuses the mount at open, read-only or
 * read-write, with a message naming the field, in bounded time and without writing a byte. e2fsck -fn (up to 64 KiB
 * blocks) agrees that each is corrupt.
 */
class MountValidationTest {
    @TempDir
    Path tmp;

    /** Little-endian u32 at {@code offset}. */
    private static void put32(Path img, long offset, long value) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(offset);
            f.write(new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)});
        }
    }

    private static void put16(Path img, long offset, int value) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(offset);
            f.write(new byte[] {(byte) value, (byte) (value >>> 8)});
        }
    }

    private static byte[] md5(Path img) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        try (var in = Files.newInputStream(img)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    @ParameterizedTest(name = "{0}-byte blocks: {1}")
    @CsvSource({
        "4096, inode table at 0", "1048576, inode table at 0",
        "4096, block bitmap on the superblock", "1048576, block bitmap on the descriptor table",
        "4096, inode bitmap = block bitmap", "1048576, block bitmap inside the inode table",
        "4096, root is a regular file", "1048576, root is a regular file",
        "4096, orphan list starts at a reserved inode", "1048576, orphan list starts at a reserved inode"})
    void aCorruptFieldRefusesTheMountAndWritesNothing(int bs, String corruption) throws Exception {
        Path img = tmp.resolve("c.img");
        Superblock sb = TestImages.format(img, bs == 4096 ? 32L << 20 : 64L << 20, bs);
        Geometry geo = new Geometry(sb);
        long gd0 = geo.gdtFirstBlock(0) * bs; // group 0's descriptor
        byte[] table;
        try (FileMember dev = new FileMember(img, true)) {
            table = new io.ext3ns.fs.disk.DeviceBlocks(dev, bs).read(geo.gdtFirstBlock(0));
        }
        GroupDescriptor gd = GroupDescriptor.decode(table, 0, 0, geo);
        long rootInodeOffset = gd.inodeTable() * bs + geo.inodeSize(); // inode 2
        switch (corruption) {
            case "inode table at 0" -> put32(img, gd0 + 8, 0);
            case "block bitmap on the superblock" -> put32(img, gd0, geo.groupFirstBlock(0));
            case "block bitmap on the descriptor table" -> put32(img, gd0, geo.gdtFirstBlock(0));
            case "inode bitmap = block bitmap" -> put32(img, gd0 + 4, gd.blockBitmap());
            case "block bitmap inside the inode table" -> put32(img, gd0, gd.inodeTable());
            case "root is a regular file" -> put16(img, rootInodeOffset, 0100644);
            case "orphan list starts at a reserved inode" -> put32(img, Superblock.OFFSET + 0xE8, 5);
            default -> throw new IllegalArgumentException(corruption);
        }
        byte[] before = md5(img);
        for (boolean readOnly : new boolean[] {false, true}) {
            if (readOnly && corruption.startsWith("orphan")) {
                continue; // a read-only mount leaves the orphan list to fsck and never walks it
            }
            CorruptFsException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(CorruptFsException.class, () -> Images.open(img, readOnly).close()));
            assertTrue(e.getMessage().contains(corruption.startsWith("root") ? "root inode"
                    : corruption.startsWith("orphan") ? "orphan list" : "group 0 descriptor"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
        assertArrayEquals(before, md5(img), "a refused mount changes no byte");
        // Not asked of e2fsck: 1.47 -fn never ends on an inode table at block 0 (it cannot relocate it read-only),
        // and -n does not process the orphan list, so it is silent about its head
        if (bs <= 65536 && E2fsprogs.installed() && !corruption.equals("inode table at 0")
                && !corruption.startsWith("orphan")) {
            ExternalTool.Result e2fsck = ExternalTool.run(List.of("timeout", "120", "e2fsck", "-fn", img.toString()),
                    150);
            assertTrue(e2fsck.exitCode() != 0 && e2fsck.exitCode() != 124, "e2fsck -fn finds it too: " + e2fsck);
        }
    }
}
