package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.testing.EngineTrees;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsck.ext3ns with a damaged primary superblock at 1 MiB blocks, where no other tool can help: the check falls back
 * to the backup by itself, -b/-B name one, -y writes it over the primary.
 */
class FsckBackupCliTest {
    @TempDir
    Path dir;

    @Test
    void damagedPrimaryIsRepairedFromTheBackup() throws Exception {
        int bs = 1 << 20;
        Path img = dir.resolve("v.img");
        // four groups of 256 blocks: backups at blocks 256 and 768
        TestImages.format(img, 1024L * bs, TestImages.spec(bs).blocksPerGroup(256).build());
        EngineTrees.sampleTree(img);
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1024), 1024);
        }
        ExternalTool.Result n = ToolProcess.run(FsckMain.class, "-fn", img.toString());
        assertEquals(4, n.exitCode(), n.toString());
        assertTrue(n.output().contains("checked with the backup copies at block 256"), n.output());

        ExternalTool.Result none = ToolProcess.run(FsckMain.class, "-fn", "-b", "257", img.toString());
        assertEquals(8, none.exitCode(), none.toString());
        assertEquals(1, none.output().strip().lines().count(), none.output());

        ExternalTool.Result y = ToolProcess.run(FsckMain.class, "-fy", "-b", "768", "-B", "1M", img.toString());
        assertEquals(1, y.exitCode(), y.toString());
        assertTrue(y.output().contains("FILE SYSTEM WAS MODIFIED"), y.output());
        ExternalTool.Result after = ToolProcess.run(FsckMain.class, "-fn", img.toString());
        assertEquals(0, after.exitCode(), after.toString());
    }
}
