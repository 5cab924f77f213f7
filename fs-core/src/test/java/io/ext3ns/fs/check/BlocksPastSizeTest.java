package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A regular file mapping blocks past its size, the state a journal-less write-back cut short by a crash leaves (the
 * grown file's indirect block reached the disk, its inode table block did not): made here by writing a file's old
 * inode table block back over a grown file. After a crash (volume not clean, no journal) fsck -y cuts the map at the
 * committed size, so the file reads exactly what the last write-back committed and no zeros past it; on a clean
 * volume the same mismatch is damage and is repaired as e2fsck repairs it (the size grows over the blocks).
 * Either way e2fsck -fn is clean afterwards.
 */
class BlocksPastSizeTest {
    private static final int BS = 4096;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "committed size {0}, grown to {1}, crashed {2}")
    @CsvSource({"68914, 72494, true", "68914, 72494, false", "40000, 5000000, true", "4400000, 6000000, true", "4400000, 6000000, false", "3000, 9000, true"})
    void aGrownFileWhoseInodeDidNotReachTheDisk(int committed, int grown, boolean crashed) throws Exception {
        Path img = dir.resolve("v.img");
        TestImages.format(img, 32L << 20, TestImages.spec(BS).build());
        byte[] content = new byte[grown];
        Random rnd = new Random(committed * 31L + grown);
        rnd.nextBytes(content);
        for (int i = 0; i < content.length; i++) {
            content[i] = content[i] == 0 ? 1 : content[i];
        }
        long ino = write(img, "f", content, 0, committed, true);
        long inodeBlock = inodeTableBlock(img, ino);
        byte[] committedInodes = readBlock(img, inodeBlock);
        write(img, "f", content, committed, grown, false);
        writeBlock(img, inodeBlock, committedInodes); // the crash: the grown inode never went home
        if (crashed) {
            setNotClean(img);
        }

        CheckReport found;
        try (FileMember dev = new FileMember(img, true)) {
            found = VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
        }
        assertFalse(found.clean(), "the map past the size is found: " + found);
        ExternalTool.Result before = E2fsprogs.installed() ? E2fsprogs.checkReadOnly(img) : null;
        if (before != null) {
            // past the direct blocks the grown map lies in indirect blocks the old inode still points at
            boolean pastSize = committed > 12 * BS;
            assertTrue(before.exitCode() != 0 && before.output().contains("i_size is " + committed) == pastSize,
                    "e2fsck finds it too:\n" + before.output());
        }
        try (FileMember dev = new FileMember(img, false)) {
            CheckReport fixed = VolumeChecker.check(dev, CheckOptions.FIX_FORCED);
            assertTrue(fixed.operationalError() == null && fixed.clean(), "fsck -y: " + fixed);
        }
        try (FileMember dev = new FileMember(img, true)) {
            CheckReport again = VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
            assertTrue(again.clean(), "fsck -fn after the repair: " + again);
        }
        if (E2fsprogs.installed()) {
            ExternalTool.Result r = E2fsprogs.checkReadOnly(img);
            assertEquals(0, r.exitCode(), "e2fsck -fn after our repair:\n" + r.output());
        }
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), EngineOptions.defaults())) {
            long size = fs.getattr(ino).size();
            if (crashed) {
                assertEquals(committed, size, "the committed size stays");
                byte[] want = java.util.Arrays.copyOf(content, committed);
                assertArrayEquals(want, read(fs, ino, size), "the committed bytes, no zeros");
            } else {
                long blocks = (grown + BS - 1) / BS;
                assertEquals(blocks * BS, size, "e2fsck's repair: the size covers every mapped block");
            }
        }
    }

    /** Writes content[from, to) of file {@code name} (created when {@code create}) and unmounts cleanly. */
    private static long write(Path img, String name, byte[] content, int from, int to, boolean create)
            throws IOException {
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), EngineOptions.defaults())) {
            long ino = create ? fs.create(FileSystem.ROOT_INO, name, 0644, 0, 0)
                    : fs.lookup(FileSystem.ROOT_INO, name);
            FileHandle h = fs.open(ino, true);
            try {
                fs.write(h, from, ByteBuffer.wrap(content, from, to - from));
                fs.fsync(h);
            } finally {
                fs.release(h);
            }
            return ino;
        }
    }

    private static byte[] read(FileSystem fs, long ino, long size) throws IOException {
        FileHandle h = fs.open(ino, false);
        try {
            ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(size));
            while (buf.hasRemaining() && fs.read(h, buf.position(), buf) > 0) {
                // reads until full or end of file
            }
            return buf.array();
        } finally {
            fs.release(h);
        }
    }

    private static long inodeTableBlock(Path img, long ino) throws IOException {
        try (FileMember dev = new FileMember(img, true)) {
            VolumeReader v = VolumeReader.open(dev);
            Geometry geo = v.geometry();
            long byteInTable = geo.indexInGroup(ino) * geo.inodeSize();
            return v.descriptor(geo.groupOfInode(ino)).inodeTable() + byteInTable / geo.blockSize();
        }
    }

    private static byte[] readBlock(Path img, long block) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(BS);
            ch.read(b, block * BS);
            return b.array();
        }
    }

    private static void writeBlock(Path img, long block, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data), block * BS);
        }
    }

    /** s_state without VALID, as a mount leaves it until its clean unmount. */
    private static void setNotClean(Path img) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = Superblock.OFFSET + 0x3A;
            ByteBuffer b = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, at);
            short state = b.getShort(0);
            b.clear();
            b.putShort(0, (short) (state & ~Superblock.STATE_VALID));
            ch.write(b, at);
        }
    }
}
