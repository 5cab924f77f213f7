package io.ext3ns.dist.manual;

import io.ext3ns.fs.util.BuildInfo;
import io.ext3ns.fuse.MountMain;
import io.ext3ns.stream.server.CommandRunner;
import io.ext3ns.stream.server.ServeMain;
import io.ext3ns.stream.server.SignMain;
import io.ext3ns.tools.DumpMain;
import io.ext3ns.tools.FsckMain;
import io.ext3ns.tools.ImportMain;
import io.ext3ns.tools.MkfsMain;
import io.ext3ns.tools.ToolRunner;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Every command bin/ext3ns-install puts on PATH, as picocli sees it: the Java commands built exactly as their main
 * methods build them (so manuals and completion cannot drift from what the command accepts), and the bash commands
 * (umount.ext3ns, the quickstart, stop, install, deps) described here in the same model, mirroring their usage text.
 */
public final class CommandCatalog {
    private CommandCatalog() {
    }

    public static List<CommandLine> all() {
        return List.of(
                ToolRunner.commandLine(new MkfsMain()),
                ToolRunner.commandLine(new FsckMain()),
                ToolRunner.commandLine(new DumpMain()),
                ToolRunner.commandLine(new ImportMain()),
                MountMain.commandLine(),
                umount(),
                CommandRunner.commandLine(new ServeMain()),
                CommandRunner.commandLine(new SignMain()),
                quickstart(),
                stop(),
                install(),
                deps());
    }

    private static CommandLine umount() {
        return script(CommandSpec.create().name("umount.ext3ns")
                .addPositional(positional("0", "MOUNTPOINT", "the mount point of an EXT3NS FUSE mount").build())
                .addPositional(positional("1", "TIMEOUT_SECONDS", "how long to wait for the mount process (default"
                        + " 120)").arity("0..1").build()), new String[] {
                    "Unmounts an EXT3NS FUSE mount and waits for its process. It returns once the mount process"
                            + " has flushed the volume, marked it clean and exited (fusermount -u alone returns"
                            + " before that).",
                    "Exit status: 0 unmounted and flushed; 32 not an EXT3NS mount, or the mount process did not exit"
                            + " in time."});
    }

    private static CommandLine quickstart() {
        return script(CommandSpec.create().name("ext3ns-quickstart"), new String[] {
            "Runs EXT3NS from a fresh build to a playable stream. It installs missing Debian packages"
                    + " (ext3ns-deps), creates 4 sparse member files of 4G under ./data, formats them as one Stream"
                    + " Disk Array (1 MiB blocks, split layout), mounts it at ./mnt with RTSP on port 8554 and HTTP"
                    + " on port 8080, puts a sample video in the mount and prints the URLs to play. Re-running"
                    + " reuses what exists.",
            "Environment: EXT3NS_DATA, EXT3NS_MNT, EXT3NS_MEMBERS, EXT3NS_MEMBER_SIZE, EXT3NS_RTSP_PORT,"
                    + " EXT3NS_HTTP_PORT. Stop with ext3ns-stop."});
    }

    private static CommandLine stop() {
        return script(CommandSpec.create().name("ext3ns-stop"), new String[] {
            "Stops what ext3ns-quickstart started. It unmounts ./mnt (EXT3NS_MNT overrides) with"
                    + " umount.ext3ns, which waits until the mount process has flushed the volume, marked it clean"
                    + " and exited."});
    }

    private static CommandLine install() {
        return script(CommandSpec.create().name("ext3ns-install")
                .addOption(OptionSpec.builder("--prefix").paramLabel("DIR").type(String.class)
                        .description("where to install (default /usr/local): commands in DIR/bin, jars in"
                                + " DIR/lib/ext3ns, manuals in DIR/share/man, completion in"
                                + " DIR/share/bash-completion").build())
                .addOption(OptionSpec.builder("--sysconfdir").paramLabel("DIR").type(String.class)
                        .description("where the configuration file and the systemd units go (default /etc:"
                                + " /etc/ext3ns/ext3ns.conf, /etc/systemd/system)").build())
                .addOption(OptionSpec.builder("--sbindir").paramLabel("DIR").type(String.class)
                        .description("where mount(8)'s helper mount.fuse.ext3ns goes (default /sbin)").build()),
                new String[] {"Installs the built EXT3NS. Run after mvn -q -B package -DskipTests, it installs"
                        + " commands, manuals, bash completion, the mount(8) helper, the systemd units and an example"
                        + " configuration file. Re-running replaces the previous installation and keeps an existing"
                        + " configuration file."});
    }

    private static CommandLine deps() {
        return script(CommandSpec.create().name("ext3ns-deps"), new String[] {
            "Installs the Debian packages EXT3NS needs that are missing. The packages are listed in"
                    + " bin/ext3ns-deps.list; it runs one apt-get update, one noninteractive apt-get install. When it"
                    + " cannot (not root, no apt-get, apt-get failed) it names what is missing and the exact command"
                    + " to run as root, and exits 1.",
            "Environment: EXT3NS_DEPS_LIST (another list file), EXT3NS_NO_INSTALL=1 (check only)."});
    }

    private static PositionalParamSpec.Builder positional(String index, String label, String description) {
        return PositionalParamSpec.builder().index(index).paramLabel(label).type(String.class)
                .description(description);
    }

    private static CommandLine script(CommandSpec spec, String[] description) {
        spec.usageMessage().description(description);
        spec.addOption(OptionSpec.builder("--help").usageHelp(true).description("show this help").build());
        spec.addOption(OptionSpec.builder("--version").versionHelp(true)
                .description("print the version and the git commit").build());
        spec.version(BuildInfo.versionLine(spec.name()));
        return new CommandLine(spec);
    }
}
