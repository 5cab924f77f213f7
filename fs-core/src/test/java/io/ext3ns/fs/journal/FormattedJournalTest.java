package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.format.FormatException;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Our formatter's journal (inode 8) is one e2fsck accepts and replays, at every block size. */
class FormattedJournalTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"1024, 16", "1024, 512", "4096, 64", "65536, 256"}) // 1 KiB on 512 MiB: the journal spans groups
    void formattedJournalIsCleanAndReplayedByE2fsck(int blockSize, int mib) throws Exception {
        Path img = tmp.resolve("j.img");
        Superblock sb = TestImages.format(img, (long) mib << 20,
                TestImages.spec(blockSize).journalBlocks(FormatSpec.JOURNAL_DEFAULT).build());
        assertTrue(sb.hasCompat(Features.COMPAT_HAS_JOURNAL));
        Ext3Tools.Result clean = Ext3Tools.run("e2fsck", "-fn", img.toString());
        assertEquals(0, clean.rc(), clean.out());
        String dump = Ext3Tools.runOk("dumpe2fs", "-h", img.toString()).out();
        assertTrue(dump.contains("Total journal blocks:     " + JournalSize.defaultBlocks(blockSize, sb.blocksCount())),
                dump);

        // A transaction we commit is replayed by e2fsck: the root directory's block gains a marker in its slack.
        long rootBlock = Ext3Tools.bmap(img, 2, 0);
        byte[] root;
        try (FileMember dev = new FileMember(img, false)) {
            Journal j = Journal.open(dev);
            root = new io.ext3ns.fs.disk.DeviceBlocks(dev, blockSize).read(rootBlock);
            Arrays.fill(root, blockSize - 8, blockSize, (byte) 0x5A); // inside the last entry's unused space
            JournalTransaction tx = new JournalTransaction(blockSize);
            tx.write(rootBlock, root);
            j.commit(tx);
        }
        Ext3Tools.Result replay = Ext3Tools.run("e2fsck", "-fy", img.toString());
        assertTrue(replay.rc() <= 1 && replay.out().contains("recovering journal"), replay.out());
        try (FileMember dev = new FileMember(img, true)) {
            assertTrue(Arrays.equals(root, new io.ext3ns.fs.disk.DeviceBlocks(dev, blockSize).read(rootBlock)));
        }
        assertEquals(0, Ext3Tools.run("e2fsck", "-fn", img.toString()).rc());
    }

    @Test
    void largeBlocksGetASmallJournal() throws Exception {
        int mib = 1 << 20;
        assertEquals(0, JournalSize.defaultBlocks(mib, 2047), "below 2 GiB at 1 MiB blocks: none, as mke2fs below 2048");
        assertEquals(64, JournalSize.defaultBlocks(mib, 2048));
        assertEquals(128, JournalSize.defaultBlocks(mib, 4096));
        assertEquals(256, JournalSize.defaultBlocks(mib, 16384), "the quickstart's 4 x 4 GiB");
        assertEquals(256, JournalSize.defaultBlocks(2 * mib, 1 << 20));
        assertEquals(1024, JournalSize.defaultBlocks(4096, 16384), "mke2fs's table at small blocks");
        assertEquals(4096, JournalSize.defaultBlocks(65536, 32768), "mke2fs's table up to 64 KiB");
        assertEquals(0, JournalSize.defaultBlocks(4096, 2047));
        assertEquals(64, JournalSize.minBlocks(mib));
        assertEquals(1024, JournalSize.minBlocks(65536), "e2fsck's minimum where e2fsck reads the volume");

        Path img = tmp.resolve("big.img");
        Superblock sb = TestImages.format(img, 256L << 20,
                TestImages.spec(mib).journalBlocks(FormatSpec.JOURNAL_DEFAULT).build());
        assertFalse(sb.hasCompat(Features.COMPAT_HAS_JOURNAL), "256 MiB at 1 MiB blocks: journal-less");
        FormatException e = assertThrows(FormatException.class, () -> TestImages.format(img, 256L << 20,
                TestImages.spec(mib).journalBlocks(JournalSize.blocksForMebibytes(32, mib)).build()));
        assertTrue(e.getMessage().contains("smallest journal is 64 MiB"), e.getMessage());

        // the smallest journal at 1 MiB blocks opens, commits and is replayed
        TestImages.format(img, 256L << 20, TestImages.spec(mib).journalBlocks(64).build());
        try (FileMember dev = new FileMember(img, false)) {
            Journal j = Journal.open(dev);
            assertEquals(63, j.logCapacity());
            JournalTransaction tx = new JournalTransaction(mib);
            byte[] b = new byte[mib];
            Arrays.fill(b, (byte) 9);
            tx.write(200, b);
            j.commit(tx);
        }
        try (FileMember dev = new FileMember(img, false)) {
            RecoveryReport r = Journal.recoverIfNeeded(dev).orElseThrow();
            assertEquals(1, r.blocksWritten(), r.summary());
            assertEquals(9, new io.ext3ns.fs.disk.DeviceBlocks(dev, mib).read(200)[mib - 1]);
        }
    }

    @Test
    void journalAt128KiBBlocksOpensCommitsAndRecovers() throws Exception {
        int bs = 128 << 10;
        Path img = tmp.resolve("j128.img");
        TestImages.format(img, 4L << 30, TestImages.spec(bs).journalBlocks(1024).build());
        try (FileMember dev = new FileMember(img, false)) {
            Journal j = Journal.open(dev);
            assertEquals(1023, j.logCapacity());
            JournalTransaction tx = new JournalTransaction(bs);
            byte[] b = new byte[bs];
            Arrays.fill(b, (byte) 7);
            tx.write(3000, b);
            j.commit(tx);
        }
        try (FileMember dev = new FileMember(img, false)) {
            RecoveryReport r = Journal.recoverIfNeeded(dev).orElseThrow();
            assertEquals(1, r.blocksWritten(), r.summary());
            byte[] back = new io.ext3ns.fs.disk.DeviceBlocks(dev, bs).read(3000);
            assertEquals(7, back[bs - 1]);
            assertTrue(Journal.recoverIfNeeded(dev).isEmpty(), "a second recovery finds nothing");
        }
    }
}
