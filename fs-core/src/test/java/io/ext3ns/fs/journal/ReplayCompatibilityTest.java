package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A transaction we commit but do not checkpoint is replayed identically by e2fsck -fy and by our recovery. */
class ReplayCompatibilityTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {4096, 65536})
    void e2fsckAndOurRecoveryReplayTheSameBytes(int blockSize) throws Exception {
        ImageFixture fx = ImageFixture.create(tmp, blockSize);
        byte[] dirBefore = fx.readBlock(fx.img, fx.rootDirBlock);
        JournalTransaction tx = fx.renameChmodAndMagic();
        byte[] dirAfter = tx.get(fx.rootDirBlock).clone();
        byte[] inodeAfter = tx.get(fx.inodeBlock).clone();
        fx.commitWithoutCheckpoint(tx);
        assertArrayEquals(dirBefore, fx.readBlock(fx.img, fx.rootDirBlock), "commit must not write home");

        Path byE2fsck = fx.copy("e2fsck.img");
        Path byUs = fx.copy("ours.img");
        Ext3Tools.Result fsck = Ext3Tools.run("e2fsck", "-fy", byE2fsck.toString());
        assertTrue(fsck.rc() <= 1, fsck.out());
        assertTrue(fsck.out().contains("recovering journal"), fsck.out());

        RecoveryReport report = ImageFixture.recover(byUs);
        assertEquals(1, report.transactions(), report.summary());
        assertEquals(3, report.blocksWritten(), report.summary());
        assertEquals(null, report.discardedTail(), report.summary());

        assertArrayEquals(dirAfter, fx.readBlock(byUs, fx.rootDirBlock));
        assertArrayEquals(inodeAfter, fx.readBlock(byUs, fx.inodeBlock));
        assertArrayEquals(fx.magicDataBlock(), fx.readBlock(byUs, fx.fileDataBlock), "escaped block restored");
        // Only the superblock may differ (e2fsck stamps its check time and mount counts there).
        List<Long> diff = fx.differingBlocks(byE2fsck, byUs);
        assertTrue(diff.isEmpty() || diff.equals(List.of(0L)), "blocks differing from e2fsck's replay: " + diff);

        Ext3Tools.Result check = Ext3Tools.run("e2fsck", "-fn", byUs.toString());
        assertEquals(0, check.rc(), check.out());
        String ls = Ext3Tools.debugfs(byUs, "ls -l /");
        assertTrue(ls.contains("howdy.txt") && !ls.contains("hello.txt"), ls);
        assertTrue(Ext3Tools.debugfs(byUs, "stat /howdy.txt").contains("Mode:  0600"));
    }
}
