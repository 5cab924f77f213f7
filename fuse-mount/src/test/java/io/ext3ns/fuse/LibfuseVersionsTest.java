package io.ext3ns.fuse;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both bindings serve the same file system: the default (libfuse 3 where installed, as here) and libfuse 2 through
 * jnr-fuse, asked for with -o libfuse=2|3. A tree copied in and out compares equal and the image is fsck-clean after
 * unmount either way; the rest of the suite runs on the default.
 */
class LibfuseVersionsTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void eachVersionCopiesATreeInAndOut(int version) throws Exception {
        // It names its versions, so every transport's execution would run the same mounts: once, in the default's.
        String transport = System.getProperty(MountProcess.TRANSPORT_PROPERTY, "");
        Assumptions.assumeTrue(transport.isEmpty() || transport.equals("libfuse3"), "runs in the libfuse3 execution");
        Path image = TestImages.ext3ns(tmp.resolve("vol.img"), 256L << 20, 1 << 20);
        Path mnt = tmp.resolve("mnt");
        Shell.bash(tmp, CopyTreeTest.MAKE_TREE).check();
        MountProcess.withMount(image, mnt, "libfuse=" + version, mount -> {
            Shell.bash(tmp, "cp -a src " + mnt + "/ && diff -r --no-dereference src " + mnt + "/src").check();
            // Writes and reads that span several 1 MiB requests and blocks, unaligned at both ends.
            Shell.bash(tmp, "head -c 9437283 /dev/urandom > odd.bin && dd if=odd.bin of=" + mnt
                    + "/odd.bin bs=3M status=none && cmp odd.bin " + mnt + "/odd.bin").check();
            Shell.bash(tmp, "cp -a " + mnt + "/src out && diff -r --no-dereference src out").check();
            String log = Files.readString(mount.log);
            assertTrue(log.contains("through libfuse " + version), log);
        });
    }
}
