package io.ext3ns.fs.check;

import java.util.List;

/**
 * The outcome of a check: what was found first, what was repaired, what is left, and the exit code e2fsck would
 * give (0 clean, 1 errors fixed, 4 errors left, 8 operational error — the volume could not be checked).
 */
public record CheckReport(String volumeName, List<Problem> found, int repaired, List<Problem> remaining,
                          String operationalError, Stats stats) {
    public static final int EXIT_CLEAN = 0;
    public static final int EXIT_FIXED = 1;
    public static final int EXIT_UNCORRECTED = 4;
    public static final int EXIT_OPERATIONAL = 8;

    /** The summary figures of the last scan (or of the superblock when a clean volume was not scanned). */
    public record Stats(long inodesUsed, long inodesCount, long blocksUsed, long blocksCount,
                        long fragmentedFiles, boolean scanned) {
    }

    static CheckReport operational(String volumeName, String message) {
        return new CheckReport(volumeName, List.of(), 0, List.of(), message, null);
    }

    /** True when nothing that counts as an error is left. */
    public boolean clean() {
        return operationalError == null && remaining.stream().noneMatch(Problem::isError);
    }

    public int exitCode() {
        if (operationalError != null) {
            return EXIT_OPERATIONAL;
        }
        int code = repaired > 0 ? EXIT_FIXED : EXIT_CLEAN;
        if (!clean()) {
            code |= EXIT_UNCORRECTED;
        }
        return code;
    }

    /** e2fsck's last line: "NAME: used/total files (x% non-contiguous), used/total blocks". */
    public String summaryLine() {
        if (stats == null) {
            return volumeName + ": " + operationalError;
        }
        if (!stats.scanned()) {
            return String.format("%s: clean, %d/%d files, %d/%d blocks", volumeName, stats.inodesUsed(),
                    stats.inodesCount(), stats.blocksUsed(), stats.blocksCount());
        }
        // e2fsck: fragmented files over inodes in use, rounded to one decimal
        double pct = stats.inodesUsed() == 0 ? 0 : 100.0 * stats.fragmentedFiles() / stats.inodesUsed();
        return String.format("%s: %d/%d files (%.1f%% non-contiguous), %d/%d blocks", volumeName,
                stats.inodesUsed(), stats.inodesCount(), pct, stats.blocksUsed(), stats.blocksCount());
    }
}
