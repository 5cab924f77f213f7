package io.ext3ns.stream.server;

import picocli.CommandLine;

/**
 * Runs a streaming launcher's picocli command the same way for ext3ns-serve and ext3ns-shooter: enum options in
 * any case, and a failure while running (a bad member, a volume that will not open) as one line and exit 8.
 */
public final class CommandRunner {
    private CommandRunner() {
    }

    public static int run(String tool, Object command, String[] args) {
        return new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    System.err.println(tool + ": " + e.getMessage());
                    return 8;
                }).execute(args);
    }
}
