package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Superblock;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** s_state, mount counts and feature flags decide whether and how an image may be mounted. */
class MountPolicyTest {
    @TempDir
    Path tmp;

    private Path image() throws Exception {
        return Images.mke2fs(tmp.resolve("p.img"), 4096, 16 << 20, Images.PLAIN_FEATURES, null);
    }

    /**
     * Without a journal, s_state is what protects a crashed volume (with one, the journal keeps it valid on disk and
     * a crash is repaired by replay at the next open).
     */
    private Path journalLessImage() throws Exception {
        return Images.mke2fs(tmp.resolve("p.img"), 4096, 16 << 20, Images.PLAIN_FEATURES + ",^has_journal", null);
    }

    private static int u16(Path img, int sbOffset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.seek(Superblock.OFFSET + sbOffset);
            return f.read() | f.read() << 8;
        }
    }

    private static void put32(Path img, int sbOffset, long v) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(Superblock.OFFSET + sbOffset);
            f.write(new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
        }
    }

    @Test
    void mountedVolumeIsMarkedNotCleanAndCleanAgainAfterClose() throws Exception {
        Path img = journalLessImage();
        int mounts = u16(img, 0x34);
        Ext3FileSystem fs = Images.open(img, false);
        assertEquals(0, u16(img, 0x3A) & Superblock.STATE_VALID, "not clean while mounted");
        fs.create(FileSystem.ROOT_INO, "x", 0644, 0, 0);
        fs.close();
        assertEquals(Superblock.STATE_VALID, u16(img, 0x3A), "clean after close");
        assertEquals(mounts + 1, u16(img, 0x34), "mount count");
        Images.assertFsckClean(img);
    }

    @Test
    void aDirtyImageIsRefusedReadWriteButOpensReadOnly() throws Exception {
        Path img = journalLessImage();
        Ext3FileSystem fs = Images.open(img, false);
        fs.create(FileSystem.ROOT_INO, "x", 0644, 0, 0);
        fs.sync(); // "crash": never closed, state stays not-clean
        FsException e = assertThrows(FsException.class, () -> Images.open(img, false));
        assertEquals(Errno.EROFS, e.errno());
        assertTrue(e.getMessage().contains("fsck.ext3ns"), e.getMessage());
        try (Ext3FileSystem ro = Images.open(img, true)) {
            assertTrue(ro.lookup(FileSystem.ROOT_INO, "x") > 0);
        }
    }

    @Test
    void unknownIncompatibleFeaturesAreRefused() throws Exception {
        Path img = image();
        put32(img, 0x60, 0x2 | 0x40); // filetype + extents
        FsException e = assertThrows(FsException.class, () -> Images.open(img, true));
        assertTrue(e.getMessage().contains("unsupported incompatible features"), e.getMessage());
    }

    @Test
    void unknownReadOnlyCompatibleFeaturesForceReadOnly() throws Exception {
        Path img = image();
        put32(img, 0x64, 0x1 | 0x2 | 0x1000);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            assertTrue(fs.readOnly());
            assertNotNull(fs.readOnlyReason());
            FsException e = assertThrows(FsException.class, () -> fs.mkdir(FileSystem.ROOT_INO, "d", 0755, 0, 0));
            assertEquals(Errno.EROFS, e.errno());
        }
        assertEquals(Superblock.STATE_VALID, u16(img, 0x3A), "untouched");
    }

    @Test
    void corruptBlockPointersGiveAnErrorNotAWrongAnswer() throws Exception {
        Path img = image();
        long ino;
        try (Ext3FileSystem fs = Images.open(img, false)) {
            ino = fs.create(FileSystem.ROOT_INO, "victim", 0644, 0, 0);
            var h = fs.open(ino, true);
            fs.write(h, 0, java.nio.ByteBuffer.wrap(new byte[10_000]));
            fs.release(h);
        }
        // point i_block[0] of the file far outside the volume
        try (Ext3FileSystem fs = Images.open(img, true);
             RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            long itable = inodeTableOf(img);
            long off = itable * 4096 + (ino - 1) * 256 + 0x28;
            f.seek(off);
            f.write(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F});
        }
        try (Ext3FileSystem fs = Images.open(img, true)) {
            FsException e = assertThrows(FsException.class, () -> fs.getattr(ino));
            assertEquals(Errno.EUCLEAN, e.errno());
            assertFalse(e.getMessage().isEmpty());
        }
    }

    private static long inodeTableOf(Path img) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            f.seek(4096 + 8); // group 0 descriptor, bg_inode_table
            return f.read() | f.read() << 8 | f.read() << 16 | (long) f.read() << 24;
        }
    }
}
