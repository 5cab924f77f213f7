package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.sda.FileMember;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revokes suppress older logged copies, and transactions that wrap around the log's end replay correctly. */
class RevokeAndWrapTest {
    @TempDir
    Path tmp;

    @Test
    void revokedBlockReusedAsDataIsNotOverwrittenByReplay() throws Exception {
        ImageFixture fx = ImageFixture.create(tmp, 4096);
        long freed = fx.fileDataBlock;
        JournalTransaction logsIt = new JournalTransaction(4096);
        logsIt.write(freed, fx.magicDataBlock());
        JournalTransaction revokesIt = new JournalTransaction(4096);
        revokesIt.revoke(freed);
        revokesIt.write(fx.rootDirBlock, fx.renamedDirBlock("howdy.txt"));
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 'D');
        try (FileMember dev = new FileMember(fx.img, false)) {
            Journal j = Journal.open(dev, Long.MAX_VALUE);
            j.commit(logsIt);
            j.commit(revokesIt);
            assertEquals(null, j.pending(freed), "a revoked block is not checkpointed");
        }
        fx.writeBlock(fx.img, freed, data); // the freed block now holds file data written in place

        Path byUs = fx.copy("ours.img");
        Path byE2fsck = fx.copy("e2fsck.img");
        RecoveryReport report = ImageFixture.recover(byUs);
        assertEquals(2, report.transactions(), report.summary());
        assertEquals(1, report.revokedCopies(), report.summary());
        assertArrayEquals(data, fx.readBlock(byUs, freed));
        assertTrue(Ext3Tools.run("e2fsck", "-fy", byE2fsck.toString()).rc() <= 1);
        List<Long> diff = fx.differingBlocks(byE2fsck, byUs);
        assertTrue(diff.isEmpty() || diff.equals(List.of(0L)), "differs from e2fsck: " + diff);
    }

    @Test
    void transactionsWrappingTheLogReplayLikeE2fsck() throws Exception {
        ImageFixture fx = ImageFixture.create(tmp, 4096);
        // Spare blocks far from any file (the image's upper half is free) take the churn.
        long base = 12_000;
        long lastTid = 0;
        JournalStats stats;
        try (FileMember dev = new FileMember(fx.img, false)) {
            Journal j = Journal.open(dev, Long.MAX_VALUE);
            // 1023-block log, 101 blocks a transaction: the 11th checkpoints, and later ones wrap past the end.
            for (int t = 0; t < 15; t++) {
                JournalTransaction tx = new JournalTransaction(4096);
                for (int i = 0; i < 99; i++) {
                    byte[] b = new byte[4096];
                    Arrays.fill(b, (byte) (t * 7 + i));
                    tx.write(base + i, b);
                }
                lastTid = j.commit(tx);
            }
            stats = j.stats();
        }
        assertEquals(1, stats.checkpoints(), "one checkpoint when the log filled");
        Path byUs = fx.copy("ours.img");
        Path byE2fsck = fx.copy("e2fsck.img");
        RecoveryReport report = ImageFixture.recover(byUs);
        assertEquals(lastTid, report.lastTid(), report.summary());
        assertTrue(report.transactions() >= 4, report.summary());
        byte[] expected = new byte[4096];
        Arrays.fill(expected, (byte) (14 * 7 + 98));
        assertArrayEquals(expected, fx.readBlock(byUs, base + 98));
        assertTrue(Ext3Tools.run("e2fsck", "-fy", byE2fsck.toString()).rc() <= 1);
        List<Long> diff = fx.differingBlocks(byE2fsck, byUs);
        assertTrue(diff.isEmpty() || diff.equals(List.of(0L)), "differs from e2fsck: " + diff);
    }
}
