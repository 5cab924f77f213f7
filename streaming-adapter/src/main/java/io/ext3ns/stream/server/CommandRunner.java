package io.ext3ns.stream.server;

import io.ext3ns.fs.util.BuildInfo;
import io.ext3ns.fs.util.ConfigFile;
import java.io.IOException;
import picocli.CommandLine;

/**
 * Runs a streaming launcher's picocli command the same way for ext3ns-serve and ext3ns-shooter: enum options in
 * any case, --version from the build, defaults from ext3ns.conf (see {@link ConfigDefaults}), and a failure while
 * running (a bad member, a volume that will not open) as one line and exit 8.
 */
public final class CommandRunner {
    private CommandRunner() {
    }

    public static int run(String tool, Object command, String[] args) {
        CommandLine cl = commandLine(command);
        try { // defaults from /etc/ext3ns/ext3ns.conf, section named after the command; flags override them
            cl.setDefaultValueProvider(new ConfigDefaults(ConfigFile.load(), ConfigDefaults.sectionOf(tool)));
        } catch (IOException e) {
            System.err.println(tool + ": configuration: " + e.getMessage());
            return 8;
        }
        return cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            System.err.println(tool + ": " + e.getMessage());
            return 8;
        }).execute(args);
    }

    /** The command as its users, its manual and its shell completion see it: enum options in any case, --version. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
        cl.getCommandSpec().version(BuildInfo.versionLine(cl.getCommandName()));
        return cl;
    }
}
