package io.ext3ns.fs.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class DiskCodecTest {

    private static Superblock sampleSuperblock() {
        Superblock sb = Superblock.blank();
        sb.setMagic(Superblock.MAGIC);
        sb.setRevLevel(1);
        sb.setLogBlockSize(2);
        sb.setFirstDataBlock(0);
        sb.setBlocksCount(65536);
        sb.setBlocksPerGroup(32768);
        sb.setInodesPerGroup(8192);
        sb.setInodesCount(16384);
        sb.setInodeSize(256);
        sb.setFirstIno(11);
        sb.setFreeBlocksCount(60000);
        sb.setFreeInodesCount(16000);
        sb.setUuid(UUID.fromString("01234567-89ab-cdef-0123-456789abcdef"));
        sb.setVolumeName("media");
        return sb;
    }

    @Test
    void superblockRoundTripsAndValidates() throws Exception {
        Superblock sb = sampleSuperblock();
        byte[] disk = new byte[4096];
        sb.encodeInto(disk, 1024);
        assertEquals(0x53, disk[1024 + 0x38] & 0xFF);
        assertEquals(0xEF, disk[1024 + 0x39] & 0xFF);
        Superblock back = Superblock.decode(disk, 1024);
        assertEquals(4096, back.blockSize());
        assertEquals(2, back.groupCount());
        assertEquals("media", back.volumeName());
        assertEquals(UUID.fromString("01234567-89ab-cdef-0123-456789abcdef"), back.uuid());
    }

    @Test
    void superblockRejectsAbsurdFields() {
        Superblock sb = sampleSuperblock();
        sb.setInodesCount(999);
        byte[] disk = new byte[2048];
        sb.encodeInto(disk, 1024);
        CorruptFsException e = assertThrows(CorruptFsException.class, () -> Superblock.decode(disk, 1024));
        assertTrue(e.getMessage().contains("inodes count"), e.getMessage());
        byte[] zero = new byte[2048];
        assertThrows(CorruptFsException.class, () -> Superblock.decode(zero, 1024));
    }

    @Test
    void sparseSuperBackupGroups() {
        Geometry g = new Geometry(4096, 0, 32768L * 50, 32768, 8192, 256, true, 0);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            if (g.hasSuperBackup(i)) {
                s.append(i).append(' ');
            }
        }
        assertEquals("0 1 3 5 7 9 25 27 49 ", s.toString());
    }

    @Test
    void inodeTimesKeepNanoseconds() {
        Inode in = Inode.blank(256);
        long t = 1_700_000_000_123_456_789L;
        in.setMtimeNanos(t);
        assertEquals(t, in.mtimeNanos());
        Inode small = Inode.blank(128);
        small.setMtimeNanos(t);
        assertEquals(1_700_000_000_000_000_000L, small.mtimeNanos());
        in.setSize(5L << 32 | 7);
        assertEquals(5L << 32 | 7, in.size());
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096, 65536, 131072, 1 << 20, 2 << 20})
    void directoryBlockInsertsRemovesAndStaysValid(int bs) throws Exception {
        DirectoryBlock db = new DirectoryBlock(new byte[bs]);
        db.initDirectory(12, 2);
        int n = 0;
        while (n < 5000 && db.insert(("file-" + n).getBytes(StandardCharsets.UTF_8), 100 + n, DirEntryType.REG, "t")) {
            n++;
        }
        assertTrue(n > 10);
        List<DirectoryBlock.Entry> entries = db.entries("t");
        for (DirectoryBlock.Entry e : entries) {
            assertTrue(e.recLen() <= DirectoryBlock.maxRecLen(bs));
        }
        DirectoryBlock.Entry victim = db.find("file-3".getBytes(StandardCharsets.UTF_8), "t");
        db.remove(victim.offset(), "t");
        assertEquals(null, db.find("file-3".getBytes(StandardCharsets.UTF_8), "t"));
        assertTrue(db.insert("again".getBytes(StandardCharsets.UTF_8), 99, DirEntryType.REG, "t"));
        assertFalse(db.hasOnlyDots("t"));
        // every stored rec_len decodes back the same way
        int sum = 0;
        for (DirectoryBlock.Entry e : db.entries("t")) {
            sum += e.recLen();
        }
        assertEquals(bs, sum);
    }

    @Test
    void recLenEncodingAt64k() {
        assertEquals(0xFFFF, DirectoryBlock.recLenToDisk(65536, 65536));
        assertEquals(65536, DirectoryBlock.recLenFromDisk(0xFFFF, 65536));
        assertEquals(65536, DirectoryBlock.recLenFromDisk(0, 65536));
        assertEquals(12, DirectoryBlock.recLenFromDisk(12, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> DirectoryBlock.recLenToDisk(65536, 1 << 20));
    }

    @Test
    void badRecLenIsReported() {
        byte[] raw = new byte[4096];
        DirectoryBlock db = new DirectoryBlock(raw);
        db.initDirectory(2, 2);
        raw[12 + 4] = 7; // '..' rec_len no longer a multiple of 4
        CorruptFsException e = assertThrows(CorruptFsException.class, () -> db.entries("dir 2 block 0"));
        assertTrue(e.getMessage().contains("rec_len"));
    }

    @Test
    void blockMapShapeAndFileSizeLimit() {
        BlockMapShape s4k = new BlockMapShape(4096);
        assertArrayEquals(new int[] {11}, s4k.path(11));
        assertArrayEquals(new int[] {12, 0}, s4k.path(12));
        assertArrayEquals(new int[] {13, 0, 0}, s4k.path(12 + 1024));
        assertArrayEquals(new int[] {14, 0, 0, 0}, s4k.path(12 + 1024 + 1024L * 1024));
        BlockMapShape s1m = new BlockMapShape(1 << 20);
        // about 2 TiB: data + indirect blocks fit 2^32-1 sectors (2048 sectors a block)
        long max = s1m.maxFileBlocks();
        assertTrue((max + s1m.indirectBlocksFor(max)) * 2048 <= 0xFFFF_FFFFL);
        assertTrue((max + 1 + s1m.indirectBlocksFor(max + 1)) * 2048 > 0xFFFF_FFFFL);
        assertEquals(2_097_151 - 9, max); // 9 indirect blocks: IND, DIND and 7 of its children
    }
}
