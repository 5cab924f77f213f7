package io.ext3ns.fuse;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Images for the mount tests, and e2fsck as the judge after unmounting. */
final class TestImages {
    private TestImages() {
    }

    /** An ext3 image made by mke2fs with the features the engine writes (no resize inode, no htree, no xattrs). */
    static Path mke2fs(Path image, String size, int blockSize) throws Exception {
        Shell.run(null, List.of("mke2fs", "-q", "-F", "-t", "ext3", "-b", Integer.toString(blockSize), "-I", "256",
                "-O", "^resize_inode,^dir_index,^ext_attr", image.toString(), size), 120).check();
        return image;
    }

    /** e2fsck -fn finds nothing to fix (it judges images with blocks up to 64 KiB). */
    static void assertFsckClean(Path image) throws Exception {
        Shell.Result r = Shell.run(null, List.of("e2fsck", "-fn", image.toString()), 300);
        assertEquals(0, r.exit(), "e2fsck -fn " + image + ":\n" + r.out() + r.err());
    }
}
