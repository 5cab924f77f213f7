package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.sda.FileMember;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without any fsync, the periodic commit makes a new file durable: it survives a crash after the interval. */
class PeriodicCommitTest {
    @TempDir
    Path tmp;

    @Test
    void changesWithoutFsyncSurviveACrashAfterTheInterval() throws Exception {
        ImageFixture fx = ImageFixture.create(tmp, 4096);
        FileMember dev = new FileMember(fx.img, false);
        Ext3FileSystem fs = Ext3FileSystem.open(dev, EngineOptions.defaults());
        try (PeriodicCommit commit = PeriodicCommit.start(fs, Duration.ofMillis(50))) {
            fs.mkdir(FileSystem.ROOT_INO, "committed-by-timer", 0755, 0, 0);
            long deadline = System.currentTimeMillis() + 10_000;
            long before = commit.commits();
            while (commit.commits() < before + 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(commit.commits() >= before + 2, "the timer committed");
        }
        fs.mkdir(FileSystem.ROOT_INO, "never-committed", 0755, 0, 0);
        dev.close(); // crash

        try (FileMember d = new FileMember(fx.img, false)) {
            Journal.recoverIfNeeded(d);
        }
        assertEquals(0, Ext3Tools.run("e2fsck", "-fn", fx.img.toString()).rc());
        try (Ext3FileSystem ro = Ext3FileSystem.open(new FileMember(fx.img, true), EngineOptions.readOnlyDefaults())) {
            ro.lookup(FileSystem.ROOT_INO, "committed-by-timer");
            assertThrows(FsException.class, () -> ro.lookup(FileSystem.ROOT_INO, "never-committed"));
        }
    }
}
