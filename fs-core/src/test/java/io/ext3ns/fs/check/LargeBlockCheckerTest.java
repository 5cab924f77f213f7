package io.ext3ns.fs.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.Bitmap;
import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.EngineTrees;
import io.ext3ns.fs.testing.StrictAlignedDevice;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our mkfs + the engine + our fsck at the block sizes no e2fsprogs tool reads (128 KiB – 2 MiB): a populated volume
 * checks clean, and every corruption class is found — the fixable ones repaired to a clean volume by -y.
 */
class LargeBlockCheckerTest {
    @TempDir
    Path dir;

    /** Block size of the volume under test: checks and repairs run on a device with that alignment, like an SDA. */
    private int alignment;

    private CheckReport check(Path img, boolean fix) throws IOException {
        try (StrictAlignedDevice dev = new StrictAlignedDevice(new FileMember(img, !fix), alignment)) {
            return VolumeChecker.check(dev, new CheckOptions(fix, true));
        }
    }

    /** Corrupts a copy of {@code clean} with {@code edit}, which gets the volume and the repair writer. */
    private interface Edit {
        void apply(VolumeReader v, Repairs w) throws IOException;
    }

    private Path corrupted(Path clean, String name, Edit edit) throws IOException {
        Path img = dir.resolve(name + ".img");
        Files.copy(clean, img, StandardCopyOption.REPLACE_EXISTING);
        try (FileMember dev = new FileMember(img, false)) {
            VolumeReader v = VolumeReader.open(dev);
            Repairs w = new Repairs(v, TestImages.TEST_TIME);
            edit.apply(v, w);
            w.finish();
        }
        return img;
    }

    private static long firstDataBlock(VolumeReader v, String path) throws IOException {
        long ino = v.lookup(path);
        return v.dataBlocks(ino, v.readInode(ino)).get(0)[1];
    }

    private static void assertFound(CheckReport r, Predicate<String> message) {
        assertEquals(CheckReport.EXIT_UNCORRECTED, r.exitCode(), r.found().toString());
        assertTrue(r.found().stream().map(Problem::message).anyMatch(message), r.found().toString());
    }

    @ParameterizedTest
    @ValueSource(ints = {131072, 524288, 1 << 20, 2 << 20})
    void populatedVolumeIsCleanAndEachCorruptionIsFound(int bs) throws Exception {
        alignment = bs;
        Path clean = dir.resolve("clean.img");
        TestImages.format(clean, 48L * bs, bs);
        EngineTrees.sampleTree(clean);
        CheckReport ok = check(clean, false);
        assertEquals(0, ok.exitCode(), ok.found().toString());
        assertEquals(11 + 6, ok.stats().inodesUsed(), "inodes 1-11 and six files and directories");
        long smallIno;
        try (FileMember dev = new FileMember(clean, true)) {
            smallIno = VolumeReader.open(dev).lookup("/small");
        }

        // a flipped block bitmap bit: /big's first block marked free
        Path flipped = corrupted(clean, "bitmap", (v, w) -> {
            long blk = firstDataBlock(v, "/big");
            long bb = v.descriptor(v.geometry().groupOfBlock(blk)).blockBitmap();
            Bitmap bits = new Bitmap(v.readBlock(bb));
            bits.clear((int) (blk - v.geometry().groupFirstBlock(v.geometry().groupOfBlock(blk))));
            w.writeBlock(bb, bits.bytes());
        });
        assertFound(check(flipped, false), m -> m.contains("block bitmap differences: +"));
        assertEquals(CheckReport.EXIT_FIXED, check(flipped, true).exitCode());
        assertEquals(0, check(flipped, false).exitCode());

        // a doubly used block: /small's block 0 is also /big's block 0
        Path dup = corrupted(clean, "dup", (v, w) -> {
            long big = firstDataBlock(v, "/big");
            w.updateInode(v.lookup("/small"), in -> in.setBlock(0, big));
        });
        assertFound(check(dup, false), m -> m.contains("duplicate block"));
        assertTrue((check(dup, true).exitCode() & CheckReport.EXIT_UNCORRECTED) != 0, "duplicates are not fixed");

        // a wrong link count
        Path links = corrupted(clean, "links", (v, w) -> w.updateInode(v.lookup("/sub/note"),
                in -> in.setLinksCount(3)));
        assertFound(check(links, false), m -> m.contains("ref count is 3, should be 1"));
        assertEquals(CheckReport.EXIT_FIXED, check(links, true).exitCode());
        assertEquals(0, check(links, false).exitCode());

        // a bad rec_len in the root directory: the entry of /small claims 13 bytes (raw)
        Path recLen = corrupted(clean, "reclen", (v, w) -> {
            long rootBlock = firstDataBlock(v, "/");
            byte[] b = v.readBlock(rootBlock);
            int off = new DirectoryBlock(b).find("small".getBytes(), "root").offset();
            b[off + 4] = 13;
            b[off + 5] = 0;
            w.writeBlock(rootBlock, b);
        });
        assertFound(check(recLen, false), m -> m.contains("bad rec_len"));

        // an orphan: /small's entry removed, the inode still in use; -y links it into lost+found
        Path orphan = corrupted(clean, "orphan", (v, w) -> {
            long rootBlock = firstDataBlock(v, "/");
            DirectoryBlock d = new DirectoryBlock(v.readBlock(rootBlock));
            w.clearEntry(rootBlock, d.find("small".getBytes(), "root").offset(), "root");
        });
        assertFound(check(orphan, false), m -> m.startsWith("unattached inode"));
        assertEquals(CheckReport.EXIT_FIXED, check(orphan, true).exitCode());
        assertEquals(0, check(orphan, false).exitCode());
        try (FileMember dev = new FileMember(orphan, true)) {
            VolumeReader v = VolumeReader.open(dev);
            assertEquals(smallIno, v.lookup("/lost+found/#" + smallIno));
        }
    }
}
