package io.ext3ns.tools;

import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.Problem;
import io.ext3ns.fs.check.VolumeChecker;
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
    static final String[] PASS_TITLES = {
        "Checking superblock and group descriptors",
        "Pass 1: Checking inodes, blocks, and sizes",
        "Pass 2: Checking directory structure",
        "Pass 3: Checking directory connectivity",
        "Pass 4: Checking reference counts",
        "Pass 5: Checking group summary information",
    };

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
        CheckReport report;
        try (BlockDevice device = BlockDevices.open(memberArgs.members(), open)) {
            report = VolumeChecker.check(device, new CheckOptions(fix, force));
        }
        print(report, fix);
        return report.exitCode();
    }

    private void print(CheckReport report, boolean fix) {
        if (report.operationalError() != null) {
            System.err.println("fsck.ext3ns: " + report.volumeName() + ": " + report.operationalError());
            return;
        }
        if (report.stats() != null && report.stats().scanned()) {
            for (int pass = 0; pass < PASS_TITLES.length; pass++) {
                if (pass > 0) {
                    out.println(PASS_TITLES[pass]);
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
