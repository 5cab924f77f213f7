package io.ext3ns.fs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.testing.StrictAlignedDevice;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeLayoutTest {
    @TempDir
    Path dir;

    private static VolumeLayout plan(int bs, long bytes) throws FormatException {
        return VolumeFormatter.plan(TestImages.spec(bs).build(), bytes);
    }

    @Test
    void groupsAreCappedSo16BitFreeCountsCannotOverflow() throws Exception {
        assertEquals(8192, plan(1024, 64L << 20).geometry().blocksPerGroup());
        assertEquals(32768, plan(4096, 256L << 20).geometry().blocksPerGroup());
        assertEquals(65528, plan(65536, 8L << 30).geometry().blocksPerGroup());
        assertEquals(65528, plan(1 << 20, 1L << 40).geometry().blocksPerGroup());
    }

    @ParameterizedTest
    @ValueSource(ints = {1024, 4096, 65536, 131072, 1 << 20, 2 << 20})
    void inodesPerGroupFillWholeTableBlocksWithinLimits(int bs) throws Exception {
        VolumeLayout l = plan(bs, bs == 1024 ? 64L << 20 : 1L << 40);
        long ipg = l.inodesPerGroup();
        assertEquals(0, ipg % 8);
        assertEquals(0, ipg * 256 % bs, "inode table ends on a block boundary");
        assertTrue(ipg <= Math.min(8L * bs, 65536 - bs / 256), "ipg " + ipg);
    }

    @Test
    void shortLastGroupIsDropped() throws Exception {
        // 1 KiB blocks: 2 full groups + 20 blocks, less than a group's metadata + 50
        VolumeLayout l = plan(1024, (1 + 2 * 8192 + 20) * 1024L);
        assertEquals(2, l.groupCount());
        assertEquals(1 + 2 * 8192, l.geometry().blocksCount());
    }

    @Test
    void refusesWhatCannotBeMade() {
        FormatException small = assertThrows(FormatException.class, () -> plan(2 << 20, 8L << 20));
        assertTrue(small.getMessage().contains("too small"), small.getMessage());
        assertThrows(FormatException.class, () -> VolumeFormatter.plan(
                TestImages.spec(4096).inodeCount(1 << 20).build(), 16L << 20));
        assertThrows(FormatException.class, () -> VolumeFormatter.plan(
                TestImages.spec(4096).blocksCount(1 << 20).build(), 16L << 20));
        assertThrows(IllegalArgumentException.class, () -> TestImages.spec(3000).build());
        assertThrows(IllegalArgumentException.class, () -> TestImages.spec(4096).label("x".repeat(17)).build());
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 131072, 1 << 20, 2 << 20})
    void formatsThroughADeviceWhoseAlignmentIsTheBlockSize(int bs) throws Exception {
        Path img = TestImages.sparseFile(dir.resolve("a.img"), bs == 4096 ? 16L << 20 : 64L * bs);
        try (StrictAlignedDevice dev = new StrictAlignedDevice(new FileMember(img, false), bs)) {
            Superblock sb = VolumeFormatter.format(dev, TestImages.spec(bs).build());
            assertEquals(bs, sb.blockSize());
            assertTrue(dev.bytesWritten() > 0);
        }
    }
}
