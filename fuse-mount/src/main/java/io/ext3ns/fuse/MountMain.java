package io.ext3ns.fuse;

import io.ext3ns.fs.util.BuildInfo;
import io.ext3ns.fuse.mount.BackgroundMount;
import io.ext3ns.fuse.mount.EngineOpener;
import io.ext3ns.fuse.mount.MountFailure;
import io.ext3ns.fuse.mount.MountOptions;
import io.ext3ns.fuse.mount.MountRequest;
import io.ext3ns.fuse.mount.MountSession;
import io.ext3ns.fuse.ops.FuseBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * mount.ext3ns: mounts an EXT3NS volume (one image or disk, or the members of a Stream Disk Array) through FUSE.
 * Follows mount(8)'s helper convention ({@code mount.TYPE SOURCE DIR [-sfnv] [-o OPTIONS] [-t TYPE]}), so
 * {@code mount -t fuse.ext3ns SOURCE DIR -o ...} and fstab lines work once /sbin/mount.fuse.ext3ns links to
 * bin/mount.ext3ns.
 */
@Command(name = "mount.ext3ns", mixinStandardHelpOptions = true, sortOptions = false,
        exitCodeOnInvalidInput = MountFailure.USAGE, // mount(8): 1 = incorrect invocation
        description = {"Mounts an EXT3NS volume through FUSE. Without -f it returns once the mount is live.",
                "Options (-o, comma-separated): ro, rw, allow_other, default_permissions, cache=SIZE (the block cache"
                        + " of file data that FUSE reads and the server's senders share), metacache=SIZE, readahead=KB, commit=SECONDS, logfile=PATH, rtsp=PORT, http=PORT, https=PORT with"
                        + " tls_cert=PEM,tls_key=PEM (HTTPS, default port 8443), pool=SIZE (the streaming server's pinned pool for"
                        + " trick play's pictures, taken as needed, default 1G; with cors_origin=ORIGIN|* and url_secret=FILE: see ext3ns-serve), multithread"
                        + " (libfuse's thread pool instead of the default single loop thread), transport=libfuse3|libfuse2|kernel"
                        + " (the FUSE transport; default libfuse3 where installed, else libfuse2; libfuse=3|2 says the"
                        + " same), relatime (default) | strictatime | noatime (when reads set atime),"
                        + " acl|noacl and user_xattr|nouser_xattr (ext3's; on by default), and FUSE's"
                        + " attr_timeout=, entry_timeout=, kernel_cache, direct_io, dev, suid, noexec.",
                "Edge store (docs/edge.md): origin=URL (http(s)://BASE/ or s3://BUCKET/PREFIX) fills titles missing"
                        + " from the volume and serves them while they fill; origin_endpoint=URL, origin_region=,"
                        + " origin_credentials=FILE (S3), origin_high=PCT, origin_low=PCT (purge water marks, default"
                        + " 90/80), origin_revalidate=SECONDS (default 60)."})
public final class MountMain implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MEMBER[,MEMBER...]", description = "image, disk, or array members in order")
    String source;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT")
    Path mountPoint;

    @Option(names = "-o", paramLabel = "OPTIONS", description = "mount options, comma-separated (repeatable)")
    List<String> options = new ArrayList<>();

    @Option(names = "-f", description = "stay in the foreground until unmounted")
    boolean foreground;

    @Option(names = "-t", paramLabel = "TYPE", description = "file system type from mount(8): fuse.ext3ns or ext3ns")
    String type;

    @Option(names = {"-n", "-s", "-v"}, hidden = true, description = "mount(8) helper flags (no mtab, sloppy, "
            + "verbose): accepted and ignored")
    boolean[] helperFlags = new boolean[0];

    private final EngineOpener engine;

    MountMain(EngineOpener engine) {
        this.engine = engine;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command as its users, its manual and its shell completion see it (--version from the build). */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new MountMain(Engines.EXT3NS));
        cli.getCommandSpec().version(BuildInfo.versionLine(cli.getCommandName()));
        return cli;
    }

    @Override
    public Integer call() {
        try {
            MountRequest request = request();
            if (request.foreground()) {
                new MountSession(request, backend(request), engine).run();
            } else {
                BackgroundMount.start(request, MountMain.class.getName(), foregroundArgs(request));
            }
            return 0;
        } catch (MountFailure e) {
            System.err.println("mount.ext3ns: " + e.getMessage());
            return e.exitStatus();
        }
    }

    private static FuseBackend backend(MountRequest request) throws MountFailure {
        try {
            return FuseBackends.choose(request.options().libfuse());
        } catch (IllegalStateException e) {
            throw new MountFailure(MountFailure.FAILED, e.getMessage(), e);
        }
    }

    /** The mount process's arguments: absolute paths (so ps and pgrep show the mount point) and our options. */
    private List<String> foregroundArgs(MountRequest request) {
        List<String> args = new ArrayList<>();
        args.add(String.join(",", request.members().stream().map(Path::toString).toList()));
        args.add(request.mountPoint().toString());
        if (!options.isEmpty()) {
            args.add("-o");
            args.add(String.join(",", options));
        }
        return args;
    }

    private MountRequest request() throws MountFailure {
        if (type != null && !type.equals("fuse." + FuseBackend.SUBTYPE) && !type.equals(FuseBackend.SUBTYPE)) {
            throw new MountFailure(MountFailure.USAGE, "-t " + type + ": this helper mounts fuse."
                    + FuseBackend.SUBTYPE + " only");
        }
        MountOptions parsed;
        try {
            parsed = MountOptions.parse(ConfiguredOptions.withConfig(options));
        } catch (IllegalArgumentException e) {
            throw new MountFailure(MountFailure.USAGE, e.getMessage());
        }
        List<Path> members = new ArrayList<>();
        for (String member : source.split(",")) {
            if (member.isEmpty()) {
                throw new MountFailure(MountFailure.USAGE, "empty member in \"" + source + "\"");
            }
            members.add(Path.of(member).toAbsolutePath().normalize());
        }
        return new MountRequest(source, members, mountPoint.toAbsolutePath().normalize(), parsed, foreground);
    }
}
