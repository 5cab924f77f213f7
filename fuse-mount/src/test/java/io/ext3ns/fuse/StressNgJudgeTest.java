package io.ext3ns.fuse;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An outside judge nobody here wrote: stress-ng's file-system stressors with verification (Debian's stress-ng), all
 * at once on one mount for a few seconds, at 4 KiB and 1 MiB blocks; then the volume must be fsck-clean (e2fsck -fn
 * too at 4 KiB, by {@link MountProcess#withMount}). A stressor's verify failure fails the test.
 */
class StressNgJudgeTest {
    /**
     * The stressors of `stress-ng --class filesystem` that exercise a file system we implement. Left out: bind-mount
     * and binderfs (mount namespaces, not a file system), fiemap and verity (FUSE has no FIEMAP or fs-verity: they
     * skip), fanotify/dnotify/inotify/procfs/ioprio/eventfd/handle (kernel facilities, not ours), chattr and
     * inode-flags (FS_IOC_SETFLAGS: FUSE passes no ioctl of a path-based mount).
     */
    static final List<String> STRESSORS = List.of("access", "chdir", "chmod", "chown", "copy-file", "dentry", "dir",
            "dirdeep", "dirmany", "dup", "fcntl", "file-ioctl", "flock", "fpunch", "fsize", "fstat", "getdent",
            "hdd", "io", "link", "locka", "lockf", "lockofd", "open", "rename", "symlink", "touch", "utime", "mknod",
            "fallocate", "sync-file", "iomix", "filename");

    /** The stressors that size a file by the volume (1 GiB each by default): sized for a 1 GiB test volume. */
    static final List<String> SIZES = List.of("--fallocate-bytes", "64m", "--sync-file-bytes", "64m",
            "--iomix-bytes", "64m");

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void fileSystemStressorsVerifyAndLeaveTheVolumeClean(int blockSize) throws Exception {
        Path image = blockSize == 4096 ? TestImages.mke2fs(tmp.resolve("vol.img"), "1G", blockSize)
                : TestImages.ext3ns(tmp.resolve("vol.img"), 1L << 30, blockSize);
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            List<String> command = new ArrayList<>(List.of("stress-ng", "--timeout", "6", "--verify",
                    "--temp-path", mount.mountPoint.toString()));
            for (String stressor : STRESSORS) {
                command.addAll(List.of("--" + stressor, "1"));
            }
            command.addAll(SIZES);
            Shell.Result r = Shell.run(tmp, command, 240);
            String output = r.out() + r.err();
            String failures = output.lines().filter(line -> line.contains(" fail: ") || line.contains(" error: "))
                    .collect(Collectors.joining("\n"));
            assertEquals("", failures, output);
            assertEquals(0, r.exit(), output);
            assertTrue(output.contains("successful run completed"), output);
        });
    }
}
