package io.ext3ns.fs.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.SuperblockOpener.Policy;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Each field the opener relies on, refused with a message naming it; the policies; backups; tiny devices. */
class SuperblockOpenerTest {
    private static final int DEVICE = 2 << 20;

    /** A sound 1 KiB-block volume of 2048 blocks, one group: every test breaks one field of it. */
    private static Superblock sound() {
        Superblock sb = Superblock.blank();
        sb.setMagic(Superblock.MAGIC);
        sb.setRevLevel(Superblock.REV_DYNAMIC);
        sb.setLogBlockSize(0);
        sb.setFirstDataBlock(1);
        sb.setBlocksCount(2048);
        sb.setBlocksPerGroup(2048);
        sb.setInodesPerGroup(256);
        sb.setInodesCount(256);
        sb.setInodeSize(128);
        sb.setFirstIno(11);
        sb.setFreeBlocksCount(1000);
        sb.setFreeInodesCount(200);
        return sb;
    }

    private static MemoryDevice device(Superblock sb, int size, int alignment) {
        MemoryDevice dev = new MemoryDevice(size, alignment);
        sb.encodeInto(dev.bytes, Superblock.OFFSET);
        return dev;
    }

    private static String refusal(Consumer<Superblock> damage, Policy policy) {
        Superblock sb = sound();
        damage.accept(sb);
        CorruptFsException e = assertThrows(CorruptFsException.class,
                () -> SuperblockOpener.open(device(sb, DEVICE, 512), policy));
        return e.detail();
    }

    private static void assertRefused(String expected, Consumer<Superblock> damage) {
        String detail = refusal(damage, Policy.READ_ONLY);
        assertTrue(detail.contains(expected), detail);
    }

    @Test
    void soundVolumeOpensUnderEveryPolicy() throws Exception {
        for (Policy p : Policy.values()) {
            Superblock sb = SuperblockOpener.open(device(sound(), DEVICE, 512), p);
            assertEquals(1024, sb.blockSize());
            assertEquals(2048, sb.blocksCount());
        }
    }

    @Test
    void eachFieldIsRefusedByName() {
        assertRefused("bad magic 0x1234", sb -> sb.setMagic(0x1234));
        assertRefused("revision 0 unsupported", sb -> sb.setRevLevel(0));
        assertRefused("log block size 12 out of range 0..11", sb -> sb.setLogBlockSize(12));
        assertRefused("first data block 0, expected 1", sb -> sb.setFirstDataBlock(0));
        assertRefused("blocks per group 12 out of range", sb -> sb.setBlocksPerGroup(12));
        assertRefused("blocks per group 16384 out of range", sb -> sb.setBlocksPerGroup(16384));
        assertRefused("inodes per group 260 out of range", sb -> {
            sb.setInodesPerGroup(260);
            sb.setInodesCount(260);
        });
        assertRefused("inodes count 300 != 256 per group", sb -> sb.setInodesCount(300));
        assertRefused("inode size 100 invalid", sb -> sb.setInodeSize(100));
        assertRefused("first inode 5 < 11", sb -> sb.setFirstIno(5));
        assertRefused("blocks count 2 too small", sb -> sb.setBlocksCount(2));
        assertRefused("free/reserved blocks exceed", sb -> sb.setFreeBlocksCount(5000));
        assertRefused("unsupported incompatible features 0x40", sb -> sb.setFeatureIncompat(Features.INCOMPAT_EXTENTS));
    }

    @Test
    void deviceRelativeFieldsAreRefusedByName() {
        assertRefused("says 4096 blocks but the device holds 2048", sb -> {
            sb.setBlocksCount(4096);
            sb.setBlocksPerGroup(4096);
        });
        assertRefused("reserved GDT blocks (max 256)", sb -> sb.setReservedGdtBlocks(257));
        // 8 blocks a group: 256 groups need 8 descriptor blocks, more than group 0 holds
        assertRefused("256 groups need a descriptor table of 8 blocks", sb -> {
            sb.setBlocksPerGroup(8);
            sb.setInodesPerGroup(8);
            sb.setInodesCount(8 * 256);
        });
        // 4096 inodes of 128 bytes: 512 table blocks in groups of 512
        assertRefused("inode table of 512 blocks does not fit in a group of 512", sb -> {
            sb.setBlocksPerGroup(512);
            sb.setInodesPerGroup(4096);
            sb.setInodesCount(4096 * 4);
        });
        CorruptFsException e = assertThrows(CorruptFsException.class,
                () -> SuperblockOpener.open(device(sound(), DEVICE, 4096), Policy.READ_ONLY));
        assertTrue(e.detail().contains("block size 1024 is not a multiple of the device alignment 4096"), e.detail());
    }

    @Test
    void unknownRoCompatRefusesWritingOnly() throws Exception {
        Consumer<Superblock> csum = sb -> sb.setFeatureRoCompat(Features.RO_COMPAT_METADATA_CSUM);
        Superblock sb = sound();
        csum.accept(sb);
        assertEquals(Features.RO_COMPAT_METADATA_CSUM,
                SuperblockOpener.open(device(sb, DEVICE, 512), Policy.READ_ONLY).featureRoCompat());
        assertTrue(refusal(csum, Policy.READ_WRITE).contains("unsupported read-only-compatible features 0x400"));
        assertTrue(refusal(csum, Policy.REPORT).contains("unsupported read-only-compatible features 0x400"));
    }

    @Test
    void reportListsEveryProblemAndKeepsTheSuperblock() throws Exception {
        Superblock sb = sound();
        sb.setFeatureRoCompat(Features.RO_COMPAT_METADATA_CSUM);
        sb.setReservedGdtBlocks(300);
        MemoryDevice dev = device(sb, 1 << 20, 512); // half the blocks the superblock claims
        SuperblockOpener.Result r = SuperblockOpener.inspect(dev, Superblock.OFFSET, Policy.REPORT);
        assertEquals(3, r.problems().size(), r.problems().toString());
        assertTrue(r.problems().get(0).contains("device holds 1024"));
        assertTrue(r.problems().get(1).contains("read-only-compatible"));
        assertTrue(r.problems().get(2).contains("reserved GDT"));
        assertEquals(2048, r.superblock().blocksCount());
        CorruptFsException e = assertThrows(CorruptFsException.class, r::orThrow);
        assertEquals(r.problems().get(0), e.detail());
        // the other policies stop at the first
        assertEquals(1, SuperblockOpener.inspect(dev, Superblock.OFFSET, Policy.READ_WRITE).problems().size());
        // fields that do not decode leave no superblock to report on
        SuperblockOpener.Result zero = SuperblockOpener.inspect(new MemoryDevice(8192, 512), Superblock.OFFSET,
                Policy.REPORT);
        assertNull(zero.superblock());
        assertEquals(List.of("superblock: bad magic 0x0000 (not an ext2/3 file system)"), zero.problems());
    }

    @Test
    void backupCopiesAndShortDevices() throws Exception {
        MemoryDevice dev = device(sound(), DEVICE, 512);
        sound().encodeInto(dev.bytes, 1 << 20); // a backup copy at byte 1 MiB
        Superblock copy = SuperblockOpener.openAt(dev, 1 << 20, Policy.READ_ONLY);
        assertEquals(2048, copy.blocksCount());
        CorruptFsException odd = assertThrows(CorruptFsException.class,
                () -> SuperblockOpener.openAt(dev, 1000, Policy.READ_ONLY));
        assertTrue(odd.detail().contains("no superblock copy can be at byte 1000"), odd.detail());
        CorruptFsException tiny = assertThrows(CorruptFsException.class,
                () -> SuperblockOpener.open(new MemoryDevice(1536, 512), Policy.READ_ONLY));
        assertTrue(tiny.detail().contains("device of 1536 bytes is too small to hold a superblock"), tiny.detail());
    }
}
