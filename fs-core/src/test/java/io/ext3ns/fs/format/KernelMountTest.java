package io.ext3ns.fs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.testing.LoopMount;
import io.ext3ns.fs.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's ext3 driver mounts a 4 KiB volume our formatter made (with the JBD2 journal the kernel's ext3 mode
 * requires) and sees an empty root holding lost+found. Always unmounted, and its loop device detached.
 */
class KernelMountTest {
    @TempDir
    Path dir;

    @Test
    void kernelExt3MountsOurFourKilobyteVolume() throws Exception {
        assumeTrue(LoopMount.possible(), "needs root to mount");
        Path img = dir.resolve("k.img");
        TestImages.format(img, 32L << 20, TestImages.spec(4096).label("kernel").journalBlocks(1024).build());
        try (LoopMount m = LoopMount.readOnly(img, "ext3", dir.resolve("mnt"))) {
            m.assertEmptyVolume("ext3");
        }
        assertEquals("", LoopMount.loopDevicesOf(img), "loop device left");
    }

    /** mkfs -b 1024 on 512 MiB: the default 16384-block journal spans groups, placed as mke2fs places it. */
    @Test
    void kernelExt3MountsOurOneKilobyteVolumeWhoseJournalSpansGroups() throws Exception {
        assumeTrue(LoopMount.possible(), "needs root to mount");
        Path img = dir.resolve("k1.img");
        TestImages.format(img, 512L << 20, TestImages.spec(1024).journalBlocks(FormatSpec.JOURNAL_DEFAULT).build());
        try (LoopMount m = LoopMount.readOnly(img, "ext3", dir.resolve("mnt"))) {
            m.assertEmptyVolume("ext3");
        }
        assertEquals("", LoopMount.loopDevicesOf(img), "loop device left");
    }
}
