package io.ext3ns.fuse;

import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images for the mount tests, and the judges after unmounting: our checker always, e2fsck up to 64 KiB blocks. */
final class TestImages {
    private static final int E2FSCK_MAX_BLOCK = 64 * 1024;

    private TestImages() {
    }

    /** An ext3 image made by mke2fs with the features the engine writes (no resize inode, no htree, no xattrs). */
    static Path mke2fs(Path image, String size, int blockSize) throws Exception {
        Shell.run(null, List.of("mke2fs", "-q", "-F", "-t", "ext3", "-b", Integer.toString(blockSize), "-I", "256",
                "-O", "^resize_inode,^dir_index,^ext_attr", image.toString(), size), 120).check();
        return image;
    }

    /** An image made by our formatter (mkfs.ext3ns), e.g. with the 1 MiB blocks media volumes use. */
    static Path ext3ns(Path image, long bytes, int blockSize) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(bytes);
        }
        try (BlockDevice device = BlockDevices.open(List.of(image), false)) {
            VolumeFormatter.format(device, FormatSpec.builder().blockSize(blockSize).build());
        }
        return image;
    }

    /** A Stream Disk Array over {@code members} (split layout, 1 MiB blocks) formatted as mkfs.ext3ns does. */
    static List<Path> ext3nsArray(List<Path> members, long bytesEach) throws Exception {
        for (Path member : members) {
            try (RandomAccessFile f = new RandomAccessFile(member.toFile(), "rw")) {
                f.setLength(bytesEach);
            }
        }
        try (BlockDevice array = BlockDevices.create(members, new ArraySpec(ArrayLayout.parse("split"), 1 << 20))) {
            VolumeFormatter.format(array, FormatSpec.builder().blockSize(1 << 20).build());
        }
        return members;
    }

    /** Our checker finds nothing to fix on the volume the members hold. */
    static void assertCheckerClean(List<Path> members) throws Exception {
        try (BlockDevice device = BlockDevices.open(members, true)) {
            CheckReport report = VolumeChecker.check(device, CheckOptions.READ_ONLY_FORCED);
            assertTrue(report.clean(), "fsck.ext3ns " + members + ": " + report);
        }
    }

    /** fsck finds nothing to fix: our checker, and e2fsck -fn where it can judge (blocks up to 64 KiB). */
    static void assertFsckClean(Path image) throws Exception {
        assertCheckerClean(List.of(image));
        if (blockSize(image) <= E2FSCK_MAX_BLOCK) {
            Shell.Result r = Shell.run(null, List.of("e2fsck", "-fn", image.toString()), 300);
            assertEquals(0, r.exit(), "e2fsck -fn " + image + ":\n" + r.out() + r.err());
        }
    }

    /** s_log_block_size of the primary superblock (at byte 1024 + 24). */
    static int blockSize(Path image) throws Exception {
        try (FileChannel ch = FileChannel.open(image)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, 1024 + 24);
            return 1024 << b.getInt(0);
        }
    }
}
