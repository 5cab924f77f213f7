package io.ext3ns.tools;

import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.fs.format.VolumeLayout;
import io.ext3ns.fs.journal.JournalSize;
import io.ext3ns.fs.util.Progress;
import io.ext3ns.fs.util.SizeParser;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.FileMember;
import io.ext3ns.sda.OpenOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Mixin;

/**
 * mkfs.ext3ns: makes an EXT3NS volume on one member (a plain ext3 image or disk) or several (a Stream Disk Array).
 * Refuses, writing nothing, when a member holds a file system or an array label or is mounted, unless -F.
 */
@Command(name = "mkfs.ext3ns", sortOptions = false,
        description = "Make an EXT3NS file system (ext3 layout, 1K..2M blocks) on MEMBER(s).",
        footer = "SIZE accepts 4096, 64K, 1M, 2G. Several members (or --layout) make a Stream Disk Array.")
public final class MkfsMain implements Callable<Integer> {
    @Option(names = "-b", paramLabel = "SIZE", description = "block size, 1K..2M (default 1M)")
    ToolRunner.Size blockSize = new ToolRunner.Size(FormatSpec.DEFAULT_BLOCK_SIZE);

    @Option(names = "-L", paramLabel = "LABEL", description = "volume label (at most 16 bytes)")
    String label = "";

    @Option(names = "-N", paramLabel = "INODES", description = "number of inodes (at least)")
    long inodes;

    @Option(names = "-i", paramLabel = "BYTES_PER_INODE", description = "one inode per this many bytes")
    ToolRunner.Size bytesPerInode;

    @Option(names = "-m", paramLabel = "RESERVED%", description = "percent of blocks reserved for root (default 5)")
    double reservedPercent = FormatSpec.DEFAULT_RESERVED_PERCENT;

    @Option(names = "-U", paramLabel = "UUID", description = "file system UUID (default: random)")
    String uuid;

    @Option(names = "-I", paramLabel = "INODE_SIZE", description = "inode size, 128 or 256 (default 256)")
    int inodeSize = FormatSpec.DEFAULT_INODE_SIZE;

    @Option(names = "-J", paramLabel = "size=MiB",
            description = "journal size in MiB, as mke2fs (at least 1024 blocks up to 64K blocks, 64 blocks above:"
                    + " 64 MiB at 1M blocks)")
    String journalOptions;

    @Option(names = "-O", paramLabel = "[^]has_journal",
            description = "has_journal (the default: sized by the volume, see docs/journal.md) or ^has_journal (none)")
    String features;

    @Option(names = "--no-journal", description = "format without a journal (ext2 style); same as -O ^has_journal")
    boolean noJournal;

    @Option(names = "-F", description = "format even a member that holds a file system or is mounted")
    boolean force;

    @Option(names = "-q", description = "quiet: no summary, no progress bar")
    boolean quiet;

    @Option(names = "-n", description = "show what would be made; write nothing")
    boolean dryRun;

    @Option(names = "--size", paramLabel = "SIZE",
            description = "create missing file members sparse at SIZE; also caps a single member's file system")
    ToolRunner.Size size;

    @Option(names = "--layout", paramLabel = "split|raid0", description = "array layout for several members")
    String layout;

    @Mixin
    MemberArguments memberArgs = new MemberArguments();

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(ToolRunner.run(new MkfsMain(), args, 1, 1));
    }

    @Override
    public Integer call() throws Exception {
        List<Path> members = memberArgs.members();
        FormatSpec.Builder spec = FormatSpec.builder().blockSize(blockSize.asInt()).label(label)
                .inodeCount(inodes).reservedPercent(reservedPercent).inodeSize(inodeSize);
        if (bytesPerInode != null) {
            spec.bytesPerInode(bytesPerInode.bytes());
        }
        if (uuid != null) {
            spec.uuid(parseUuid(uuid));
        }
        spec.journalBlocks(journalBlocks());
        boolean array = members.size() > 1 || layout != null;
        ArraySpec arraySpec = array ? new ArraySpec(ArrayLayout.parse(layout == null ? "split" : layout),
                blockSize.asInt()) : null;
        if (arraySpec != null) {
            arraySpec.partSize(members.size());
        }
        if (!array && size != null) {
            spec.blocksCount(size.bytes() / blockSize.asInt());
        }
        // members mkfs creates now are fresh sparse files that read as zeros: inode tables need no writing
        spec.deviceReadsZero(members.stream().noneMatch(Files::exists));
        FormatSpec fs = spec.build();
        checkMembers(members);
        if (dryRun) {
            if (array) {
                throw new IllegalArgumentException("-n works on a single member only (an array's usable size"
                        + " depends on the labels written)");
            }
            Path m = members.get(0);
            describe(VolumeFormatter.plan(fs, Files.exists(m) ? sizeOf(m) : size.bytes()), fs);
            return 0;
        }
        List<Path> created = createMissing(members);
        try (BlockDevice device = open(members, arraySpec)) {
            VolumeLayout layoutPlan = VolumeFormatter.plan(fs, device.size());
            if (!quiet) {
                describe(layoutPlan, fs);
            }
            Progress progress = ProgressBar.onStderr(quiet);
            try {
                VolumeFormatter.format(device, fs, progress);
            } finally {
                progress.finish();
            }
            if (!quiet) {
                out.println("Done: " + device.name());
            }
            return 0;
        } catch (Exception e) {
            for (Path p : created) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
    }

    /** FormatSpec.journalBlocks from -J, -O and --no-journal: the default size policy (JournalSize) unless asked. */
    private long journalBlocks() {
        if (features != null && !features.equals("has_journal") && !features.equals("^has_journal")) {
            throw new IllegalArgumentException("-O " + features + ": only has_journal and ^has_journal can be chosen");
        }
        boolean none = noJournal || "^has_journal".equals(features);
        if (none) {
            if (journalOptions != null) {
                throw new IllegalArgumentException("-J given together with ^has_journal / --no-journal");
            }
            return 0;
        }
        if (journalOptions == null) {
            return FormatSpec.JOURNAL_DEFAULT;
        }
        if (!journalOptions.startsWith("size=")) {
            throw new IllegalArgumentException("-J " + journalOptions + ": only size=MiB is supported");
        }
        long mib;
        try {
            mib = Long.parseLong(journalOptions.substring("size=".length()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-J " + journalOptions + ": size is a whole number of MiB");
        }
        return JournalSize.blocksForMebibytes(mib, blockSize.asInt());
    }

    /** Refuses members that are missing without --size, hold data, or are mounted — before anything is written. */
    private void checkMembers(List<Path> members) throws IOException {
        List<String> refusals = new ArrayList<>();
        for (Path m : members) {
            if (!Files.exists(m)) {
                if (size == null) {
                    throw new java.nio.file.NoSuchFileException(m + ": no such file or device (give --size to create it)");
                }
                continue;
            }
            Optional<String> mounted = MemberSafety.mountedAt(m);
            Optional<String> content = MemberSafety.existingContent(m);
            mounted.ifPresent(why -> refusals.add(m + " " + why));
            content.ifPresent(why -> refusals.add(m + " " + why));
        }
        if (refusals.isEmpty()) {
            return;
        }
        if (!force) {
            throw new IllegalStateException(String.join("; ", refusals) + " — nothing written; use -F to format"
                    + " anyway");
        }
        if (!quiet) {
            refusals.forEach(r -> System.err.println("mkfs.ext3ns: warning: " + r + "; overwriting (-F)"));
        }
    }

    /** Creates missing members as sparse files of --size; returns them so a failed format can remove them. */
    private List<Path> createMissing(List<Path> members) throws IOException {
        List<Path> created = new ArrayList<>();
        for (Path m : members) {
            if (!Files.exists(m)) {
                try (RandomAccessFile f = new RandomAccessFile(m.toFile(), "rw")) {
                    f.setLength(size.bytes());
                }
                created.add(m);
                if (!quiet) {
                    out.println("Creating sparse member " + m + " of " + SizeParser.format(size.bytes()));
                }
            }
        }
        return created;
    }

    private static BlockDevice open(List<Path> members, ArraySpec arraySpec) throws IOException {
        if (arraySpec == null) {
            return new FileMember(members.get(0), OpenOptions.READ_WRITE.exclusively());
        }
        return BlockDevices.create(members, arraySpec);
    }

    private static long sizeOf(Path p) throws IOException {
        try (FileMember m = new FileMember(p, true)) {
            return m.size();
        }
    }

    private void describe(VolumeLayout plan, FormatSpec fs) {
        var geo = plan.geometry();
        out.printf("Creating filesystem with %d %s blocks and %d inodes%n", geo.blocksCount(),
                SizeParser.format(geo.blockSize()), geo.inodesCount());
        out.println("Filesystem UUID: " + fs.uuid());
        out.printf("%d block groups, %d blocks per group, %d inodes per group%n", geo.groupCount(),
                geo.blocksPerGroup(), geo.inodesPerGroup());
        StringBuilder backups = new StringBuilder();
        for (long g = 1; g < geo.groupCount(); g++) {
            if (geo.hasSuperBackup(g)) {
                backups.append(backups.length() == 0 ? "" : ", ").append(geo.groupFirstBlock(g));
            }
        }
        if (backups.length() > 0) {
            out.println("Superblock backups stored on blocks:\n\t" + backups);
        }
        long journal = JournalSize.resolve(fs.journalBlocks(), geo.blockSize(), geo.blocksCount());
        out.println(journal == 0 ? "No journal (ext2 style; see -J)"
                : "Journal: " + journal + " blocks (" + SizeParser.format(journal * geo.blockSize()) + ")");
    }

    private static UUID parseUuid(String text) {
        if (text.equalsIgnoreCase("random")) {
            return UUID.randomUUID();
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a UUID: '" + text + "'");
        }
    }
}
