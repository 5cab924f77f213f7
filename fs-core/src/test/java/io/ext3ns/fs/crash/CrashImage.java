package io.ext3ns.fs.crash;

import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.testing.TestImages;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** The volume a crash test (kill or power cut) starts from, and which configurations a run selects. */
final class CrashImage {
    private CrashImage() {
    }

    /** Skips the configuration unless {@code -Dcrash.only=4096-true,1048576-false} (or nothing) selects it. */
    static void assumeSelected(int blockSize, boolean journal) {
        String only = System.getProperty("crash.only");
        Assumptions.assumeTrue(only == null || List.of(only.split(",")).contains(blockSize + "-" + journal));
    }

    /** Formats {@code img}: 48 MiB at 4 KiB blocks, 400 MiB at 1 MiB, with the smallest JBD2 journal if asked. */
    static void format(Path img, int blockSize, boolean journal) throws Exception {
        FormatSpec.Builder spec = TestImages.spec(blockSize);
        long bytes = blockSize == 4096 ? 48L << 20 : 400L << 20;
        if (journal) {
            // at 1 MiB blocks the smallest JBD2 journal (1024 blocks) is 1 GiB: the image is sparse
            spec.journalBlocks(1024);
            bytes = blockSize == 4096 ? bytes : bytes + (1700L << 20);
        }
        TestImages.format(img, bytes, spec.build());
    }
}
