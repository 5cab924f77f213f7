package io.ext3ns.tools;

import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.util.FileNames;
import io.ext3ns.fs.util.MemberList;
import io.ext3ns.fs.util.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * ext3ns-import: copies files and directory trees into an EXT3NS volume, either through a directory (a mounted
 * volume) or offline into an unmounted one (MEMBER[,MEMBER...]:/path), with a byte progress bar on a terminal.
 */
@Command(name = "ext3ns-import", sortOptions = false, customSynopsis = {"ext3ns-import [-q] [-f] SOURCE... DEST",
            "       ext3ns-import [-q] --prefetch TITLE... EDGE"},
        description = {
            "Copy files and directory trees (regular files, directories, symbolic links; permission bits and times"
                + " kept, owners not: copies belong to the importing user) into an EXT3NS volume.",
            "",
            "DEST is a directory (e.g. inside a mounted EXT3NS: copied through the mount in 4 MiB reads and"
                + " writes) or an unmounted volume written offline with no FUSE on the way: MEMBER[,MEMBER...]:/path."
                + " Offline, each file larger than a block is fallocated at its full size first (large files land"
                + " contiguously) and written in whole blocks; a mounted or locked volume is refused (import into"
                + " its mount point instead).",
            "",
            "As with cp, an existing directory DEST receives each SOURCE under its own name; with one SOURCE, a"
                + " DEST that does not exist (in an existing directory) names the copy. Existing directories are"
                + " merged into. Hard links are copied as separate files.",
            ""},
        footer = {"",
            "Free space (blocks available to users, as df shows, and inodes) is checked before anything is"
                + " copied. A failure part-way (no space, an unreadable source, Ctrl-C or SIGTERM) stops the import,"
                + " removes the partial file and leaves the volume consistent (flushed; fsck.ext3ns clean).",
            "",
            "--prefetch warms TITLEs (paths in the store, e.g. /films/a.ts) on an edge store that fills from an"
                + " origin (docs/edge.md) ahead of demand: each is read whole through EDGE, the edge's mount"
                + " directory or its http(s)://HOST:PORT/, so the edge fetches it from its origin; exit 0 when all"
                + " are in, 1 when one could not be fetched.",
            "",
            "Exit status: 0 imported; 1 refused, nothing written (no space, DEST exists without -f, volume"
                + " mounted, bad SOURCE); 2 bad usage; 3 failed part-way (files copied before the failure stay)."})
public final class ImportMain implements Callable<Integer> {
    static final int EXIT_USAGE = 2;

    @Option(names = "-q", description = "quiet: no progress bar, no summary")
    boolean quiet;

    @Option(names = "-f", description = "replace existing files and symlinks at the destination")
    boolean force;

    @Option(names = "--prefetch", description = "warm TITLEs on an edge store (its mount or http(s)://HOST:PORT/)"
            + " instead of copying: see below")
    boolean prefetch;

    @Option(names = "--help", usageHelp = true, description = "show this help")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "print the version and the git commit")
    boolean version;

    @Parameters(arity = "2..*", paramLabel = "SOURCE... DEST", hideParamSyntax = true,
            description = "files, directories or symlinks to copy, then where to (a directory or MEMBERS:/path)")
    List<String> paths;

    private final PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(ToolRunner.run(new ImportMain(), args, EXIT_USAGE, ImportFailure.REFUSED));
    }

    @Override
    public Integer call() throws Exception {
        List<String> sources = paths.subList(0, paths.size() - 1);
        String dest = paths.get(paths.size() - 1);
        if (prefetch) {
            return Prefetch.run(sources, dest, quiet, out, System.err);
        }
        long start = System.nanoTime();
        Importer.Summary summary;
        String where;
        Map<Path, String> placed = new LinkedHashMap<>(); // each source and its name under the target's root
        // released last, after the volume is closed and the failure (an interrupt's too) is printed
        try (InterruptGuard guard = new InterruptGuard()) {
            try (ImportTarget target = openTarget(sources, dest, placed)) {
                where = target.describe("");
                ImportPlan plan = ImportPlan.walk(placed);
                Progress progress = ProgressBar.onStderr(quiet);
                try {
                    Importer importer = new Importer(target, force, progress);
                    guard.onInterrupt(importer::cancel);
                    summary = importer.run(plan);
                } finally {
                    progress.finish();
                }
            } catch (ImportFailure e) {
                System.err.println("ext3ns-import: " + e.getMessage());
                return e.exitCode();
            }
        }
        if (!quiet) {
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "Imported %d files, %d directories, %d symlinks (%.1f MB) into %s in %.1f s"
                    + " (%.1f MB/s)%n", summary.files(), summary.directories(), summary.symlinks(),
                    summary.bytes() / 1e6, where, seconds, summary.bytes() / 1e6 / Math.max(seconds, 1e-3));
        }
        return 0;
    }

    /**
     * Opens the destination as cp reads it: an existing directory receives each SOURCE under its own name; with one
     * SOURCE, a path that does not exist in an existing directory names the copy. A DEST that is not a local
     * directory but has ":/" in it is MEMBER[,MEMBER...]:/path in an unmounted volume.
     */
    private ImportTarget openTarget(List<String> sources, String dest, Map<Path, String> names) throws IOException {
        Path local = Path.of(dest);
        int volumeSep = dest.indexOf(":/");
        if (Files.isDirectory(local) || volumeSep < 0) {
            Path root = place(sources, dest, local, names);
            return new DirectoryTarget(root);
        }
        List<Path> members = MemberList.parse(List.of(dest.substring(0, volumeSep)));
        String inVolume = normalize(dest.substring(volumeSep + 1));
        Ext3FileSystem fs = VolumeTarget.openVolume(members);
        try {
            String root;
            if (VolumeTarget.isDirectory(fs, inVolume)) {
                root = inVolume;
                nameBySource(sources, names);
            } else {
                String parent = inVolume.substring(0, Math.max(1, inVolume.lastIndexOf('/')));
                if (sources.size() != 1 || inVolume.equals("/") || !VolumeTarget.isDirectory(fs, parent)) {
                    throw ImportFailure.refused(dest + ": no such directory in the volume");
                }
                root = parent;
                names.put(Path.of(sources.get(0)), inVolume.substring(inVolume.lastIndexOf('/') + 1));
            }
            return new VolumeTarget(fs, dest.substring(0, volumeSep), root);
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    /** The local directory the sources go into, naming them as cp would. */
    private static Path place(List<String> sources, String dest, Path local, Map<Path, String> names)
            throws IOException {
        if (Files.isDirectory(local)) {
            nameBySource(sources, names);
            return local;
        }
        Path parent = local.toAbsolutePath().getParent();
        if (sources.size() != 1 || parent == null || !Files.isDirectory(parent) || local.getFileName() == null) {
            throw ImportFailure.refused(dest + ": no such directory");
        }
        names.put(Path.of(sources.get(0)), HostPaths.name(local));
        return parent;
    }

    private static void nameBySource(List<String> sources, Map<Path, String> names) throws ImportFailure {
        for (String s : sources) {
            Path p = Path.of(s);
            String name = HostPaths.name(p);
            if (name == null) {
                throw ImportFailure.refused(s + ": has no name to copy it under; import its contents instead");
            }
            if (names.containsValue(name)) {
                throw ImportFailure.refused("two sources are named " + FileNames.printable(name)
                        + "; they would land on one another");
            }
            names.put(p, name);
        }
    }

    /** "/a//b/" → "/a/b"; always absolute. */
    static String normalize(String path) {
        String p = ("/" + path).replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }
}
