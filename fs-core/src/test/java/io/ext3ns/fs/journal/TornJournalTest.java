package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.DeviceBlocks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.disk.SuperblockOpener;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Recovery of a torn or corrupt journal: of two committed transactions, the second is damaged on disk. Recovery
 * must replay the first, name the second as discarded, and never write any of its blocks; where e2fsck defines the
 * behaviour (bad magic, wrong sequence) its replay must give the same bytes.
 */
class TornJournalTest {
    @TempDir
    Path tmp;

    enum Damage {
        /** The commit block lost its magic (a torn write). */
        COMMIT_MAGIC(true),
        /** The commit block carries the wrong transaction id. */
        COMMIT_SEQUENCE(true),
        /** The descriptor names a block outside the volume. */
        DESCRIPTOR_TARGET(false),
        /** The revoke block's byte count runs past the block. */
        REVOKE_COUNT(false);

        final boolean e2fsckComparable;

        Damage(boolean e2fsckComparable) {
            this.e2fsckComparable = e2fsckComparable;
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void stopsAtTheLastGoodTransaction(Damage damage) throws Exception {
        ImageFixture fx = ImageFixture.create(tmp, 4096);
        byte[] dirOriginal = fx.readBlock(fx.img, fx.rootDirBlock);
        byte[] inodeOriginal = fx.readBlock(fx.img, fx.inodeBlock);
        JournalTransaction first = new JournalTransaction(4096);
        first.write(fx.rootDirBlock, fx.renamedDirBlock("howdy.txt"));
        first.write(fx.fileDataBlock, fx.magicDataBlock());
        JournalTransaction second = new JournalTransaction(4096);
        second.write(fx.inodeBlock, fx.chmodInodeBlock(0600));
        second.write(fx.rootDirBlock, fx.renamedDirBlock("bogus.txt"));
        second.revoke(fx.fileDataBlock); // logged by the first, so a revoke block is written
        long[] tids = fx.commitWithoutCheckpoint(first, second);
        damage(fx, tids[1], damage);

        Path byUs = fx.copy("ours.img");
        RecoveryReport report = ImageFixture.recover(byUs);
        assertEquals(1, report.transactions(), report.summary());
        assertEquals(tids[0], report.lastTid(), report.summary());
        assertTrue(report.discardedTail() != null && report.discardedTail().contains("transaction " + tids[1]),
                report.summary());
        byte[] dir = fx.readBlock(byUs, fx.rootDirBlock);
        assertTrue(ImageFixture.indexOf(dir, "howdy.txt".getBytes()) >= 0, "first transaction replayed");
        assertTrue(ImageFixture.indexOf(dir, "bogus.txt".getBytes()) < 0, "second transaction not replayed");
        assertArrayEquals(inodeOriginal, fx.readBlock(byUs, fx.inodeBlock));
        assertTrue(!java.util.Arrays.equals(dirOriginal, dir));
        assertArrayEquals(fx.magicDataBlock(), fx.readBlock(byUs, fx.fileDataBlock), "the discarded revoke is ignored");
        assertEquals(0, Ext3Tools.run("e2fsck", "-fn", byUs.toString()).rc());

        if (damage.e2fsckComparable) {
            Path byE2fsck = fx.copy("e2fsck.img");
            Ext3Tools.Result r = Ext3Tools.run("e2fsck", "-fy", byE2fsck.toString());
            assertTrue(r.rc() <= 1, r.out());
            List<Long> diff = fx.differingBlocks(byE2fsck, byUs);
            assertTrue(diff.isEmpty() || diff.equals(List.of(0L)), "differs from e2fsck: " + diff);
        }
    }

    /** Damages transaction {@code tid} in the log of the fixture's image. */
    private static void damage(ImageFixture fx, long tid, Damage damage) throws IOException {
        try (FileMember dev = new FileMember(fx.img, false)) {
            DeviceBlocks io = new DeviceBlocks(dev, fx.blockSize);
            Superblock sb = SuperblockOpener.open(dev, SuperblockOpener.Policy.READ_ONLY);
            JournalLog log = JournalLog.open(io, sb);
            for (long pos = log.first(); pos < log.maxLen(); pos++) {
                byte[] b = log.read(pos);
                BlockHeader h = BlockHeader.read(b);
                if (h == null || h.sequence() != tid) {
                    continue;
                }
                if (damage == Damage.COMMIT_MAGIC && h.type() == BlockHeader.COMMIT) {
                    b[0] ^= 0x55;
                } else if (damage == Damage.COMMIT_SEQUENCE && h.type() == BlockHeader.COMMIT) {
                    BigEndian.put32(b, 8, tid + 7);
                } else if (damage == Damage.DESCRIPTOR_TARGET && h.type() == BlockHeader.DESCRIPTOR) {
                    BigEndian.put32(b, BlockHeader.SIZE, sb.blocksCount() + 5);
                } else if (damage == Damage.REVOKE_COUNT && h.type() == BlockHeader.REVOKE) {
                    BigEndian.put32(b, BlockHeader.SIZE, fx.blockSize + 4);
                } else {
                    continue;
                }
                log.write(pos, b);
                return;
            }
        }
        throw new IllegalStateException("no block of transaction " + tid + " to damage as " + damage);
    }
}
