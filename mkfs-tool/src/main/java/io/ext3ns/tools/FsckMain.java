package io.ext3ns.tools;

import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.Problem;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.util.Progress;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.OpenOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/**
 * fsck.ext3ns: checks an EXT3NS volume (e2fsck's five passes, at every block size) and with -y repairs what is safely
 * fixable. Exit codes as e2fsck's: 0 clean, 1 errors fixed, 4 errors left, 8 operational error.
 */
@Command(name = "fsck.ext3ns", sortOptions = false,
        description = "Check an EXT3NS file system on MEMBER(s); exit 0 clean, 1 fixed, 4 errors left, 8 failure.")
public final class FsckMain implements Callable<Integer> {
    static final class Mode {
        @Option(names = "-n", description = "check only, open read-only, change nothing (the default)")
        boolean readOnly;

        @Option(names = {"-y", "-p", "-a"},
                description = "repair what is safely fixable (bitmaps, counts, link counts, orphans); -p, -a: the same")
        boolean yes;
    }

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    @Option(names = "-f", description = "check even if the file system is marked clean")
    boolean force;

    @Option(names = "-b", paramLabel = "BLOCK",
            description = "use the superblock copy at BLOCK (a backup: the first block of group 1, 3, 5, 7, 9, 25, ...;"
                    + " mkfs.ext3ns and dump.ext3ns list them); -y writes it over the primary. Without -b a damaged primary is"
                    + " replaced by the first valid backup automatically, as e2fsck does")
    long superblock;

    @Option(names = "-B", paramLabel = "BLOCKSIZE",
            description = "block size of the -b copy: 4096, 1M, ... (default: try 1 KiB to 2 MiB)")
    ToolRunner.Size blockSize;

    @Option(names = "-q", description = "quiet: no progress bar (the report is printed as always)")
    boolean quiet;

    @Option(names = "-C", paramLabel = "FD",
            description = "0: draw the progress bar on stdout even when it is not a terminal (as e2fsck -C 0);"
                    + " by default it is drawn on stderr when that is a terminal")
    Integer progressFd;

    @Mixin
    MemberArguments memberArgs = new MemberArguments();

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(ToolRunner.run(new FsckMain(), args, CheckReport.EXIT_OPERATIONAL,
                CheckReport.EXIT_OPERATIONAL));
    }

    @Override
    public Integer call() throws Exception {
        boolean fix = mode.yes;
        OpenOptions open = fix ? OpenOptions.READ_WRITE.exclusively() : OpenOptions.READ_ONLY;
        Progress progress = progress();
        CheckReport report;
        try (BlockDevice device = BlockDevices.open(memberArgs.members(), open)) {
            report = VolumeChecker.check(device, new CheckOptions(fix, force, superblock,
                    blockSize == null ? 0 : blockSize.asInt()), progress);
        } finally {
            progress.finish();
        }
        print(report, fix);
        return report.exitCode();
    }

    /** -q: none; -C 0: a bar on stdout; otherwise a bar on stderr if it is a terminal. */
    private Progress progress() {
        if (progressFd != null && progressFd != 0) {
            throw new IllegalArgumentException("-C " + progressFd
                    + ": only 0 (a progress bar on stdout) is supported, not e2fsck's machine-readable lines");
        }
        if (quiet) {
            return Progress.NONE;
        }
        return progressFd != null ? ProgressBar.onStdout() : ProgressBar.onStderr(false);
    }

    private void print(CheckReport report, boolean fix) {
        if (report.operationalError() != null) {
            System.err.println("fsck.ext3ns: " + report.volumeName() + ": " + report.operationalError());
            return;
        }
        if (report.stats() != null && report.stats().scanned()) {
            for (int pass = 0; pass < VolumeChecker.PASS_TITLES.size(); pass++) {
                if (pass > 0) {
                    out.println(VolumeChecker.PASS_TITLES.get(pass));
                }
                for (Problem p : report.found()) {
                    if (p.pass() == pass) {
                        out.println(p.message() + (p.fixable() ? (fix ? ". Fixed." : ". Fix? no") : ""));
                    }
                }
            }
            if (fix) {
                for (Problem p : report.remaining()) {
                    out.println("Left: " + p.message());
                }
            }
        }
        if (report.repaired() > 0) {
            out.println();
            out.println(report.volumeName() + ": ***** FILE SYSTEM WAS MODIFIED *****");
        }
        if (!report.clean()) {
            out.println();
            out.println(report.volumeName() + ": ********** WARNING: Filesystem still has errors **********");
        }
        out.println(report.summaryLine());
    }
}
