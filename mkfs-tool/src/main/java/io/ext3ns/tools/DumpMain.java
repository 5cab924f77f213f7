package io.ext3ns.tools;

import io.ext3ns.fs.inspect.FileFragmentation;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.OpenOptions;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/**
 * dump.ext3ns: the superblock (as dumpe2fs -h) and a per-group summary; with --file, how one file's data blocks lie
 * on disk (contiguous runs). Read-only.
 */
@Command(name = "dump.ext3ns", sortOptions = false,
        description = "Print the superblock and group summary of an EXT3NS volume, or a file's block runs.")
public final class DumpMain implements Callable<Integer> {
    @Option(names = "-h", description = "superblock only, no group summary (as dumpe2fs -h)")
    boolean headerOnly;

    @Option(names = "--file", paramLabel = "PATH", description = "print this file's contiguous runs instead")
    List<String> files;

    @Option(names = "--runs", description = "with --file: list every run, not only the count")
    boolean listRuns;

    @Mixin
    MemberArguments memberArgs = new MemberArguments();

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(ToolRunner.run(new DumpMain(), args, 1, 1));
    }

    @Override
    public Integer call() throws Exception {
        try (BlockDevice device = BlockDevices.open(memberArgs.members(), OpenOptions.READ_ONLY)) {
            VolumeReader volume = VolumeReader.open(device);
            if (files != null) {
                for (String path : files) {
                    printRuns(volume, path);
                }
                return 0;
            }
            VolumeDump.header(volume.superblock(), out);
            if (!headerOnly) {
                out.println();
                VolumeDump.groups(volume, out);
            }
            return 0;
        }
    }

    private void printRuns(VolumeReader volume, String path) throws java.io.IOException {
        long ino = volume.lookup(path);
        FileFragmentation f = FileFragmentation.of(volume, ino);
        out.printf("%s: inode %d, %d data blocks in %d contiguous run%s%n", path, ino, f.dataBlocks(), f.runCount(),
                f.runCount() == 1 ? "" : "s");
        if (listRuns) {
            for (FileFragmentation.Run r : f.runs()) {
                out.printf("  file blocks %d-%d at %d-%d%n", r.logical(), r.logical() + r.length() - 1, r.start(),
                        r.start() + r.length() - 1);
            }
        }
    }
}
