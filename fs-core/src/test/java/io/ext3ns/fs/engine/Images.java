package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Images for engine tests: mke2fs-made ext3 (optionally populated from a tree), ours, and e2fsck as the judge. */
final class Images {
    private Images() {
    }

    /** The plain EXT3NS feature set: no resize_inode, dir_index or ext_attr. */
    static final String PLAIN_FEATURES = "^resize_inode,^dir_index,^ext_attr";

    /** {@code mke2fs -t ext3 -b bs [-O features] [-d tree] img size}; features null = mke2fs defaults. */
    static Path mke2fs(Path img, int blockSize, long bytes, String features, Path tree, String... extra)
            throws Exception {
        TestImages.sparseFile(img, bytes);
        List<String> cmd = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext3", "-b",
                String.valueOf(blockSize), "-E", "root_owner=0:0,nodiscard"));
        if (features != null) {
            cmd.addAll(List.of("-I", "256", "-O", features));
        }
        if (tree != null) {
            cmd.addAll(List.of("-d", tree.toString()));
        }
        cmd.addAll(List.of(extra));
        cmd.add(img.toString());
        ExternalTool.Result r = ExternalTool.run(cmd, 120);
        assertEquals(0, r.exitCode(), "mke2fs failed: " + r);
        return img;
    }

    /** Our formatter, for block sizes e2fsprogs does not know. */
    static Path ours(Path img, int blockSize, long bytes) throws Exception {
        TestImages.format(img, bytes, blockSize);
        return img;
    }

    /** Asserts {@code e2fsck -fn} finds nothing wrong. */
    static void assertFsckClean(Path img) throws IOException, InterruptedException {
        ExternalTool.Result r = ExternalTool.run(List.of("e2fsck", "-fn", img.toString()), 300);
        assertEquals(0, r.exitCode(), "e2fsck -fn " + img + " reported problems:\n" + r.output());
    }

    /** Asserts our checker (fsck.ext3ns) finds nothing wrong, at any block size. */
    static void assertOurFsckClean(Path img) throws IOException {
        try (FileMember dev = new FileMember(img, true)) {
            CheckReport r = VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
            assertTrue(r.clean(), "fsck.ext3ns " + img + ": " + r.operationalError() + " " + r.remaining());
        }
    }

    static Ext3FileSystem open(Path img, boolean readOnly) throws IOException {
        EngineOptions o = EngineOptions.defaults().withReadOnly(readOnly).withCaches(8L << 20, 32L << 20);
        return Ext3FileSystem.open(new FileMember(img, readOnly), o);
    }
}
