package io.ext3ns.tools;

import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.util.BuildInfo;
import io.ext3ns.fs.util.SizeParser;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Runs a picocli command the way every EXT3NS tool behaves: bad usage prints one line plus a hint and exits with
 * {@code usageExit}; any failure while running prints "tool: message" on one line (never a stack trace) and exits
 * with {@code failureExit}.
 */
public final class ToolRunner {
    private ToolRunner() {
    }

    static int run(Object command, String[] args, int usageExit, int failureExit) {
        CommandLine cl = commandLine(command);
        cl.setParameterExceptionHandler((ex, argv) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println(ex.getCommandLine().getCommandName() + ": " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandName() + " --help' for more information.");
            return usageExit;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + describe(ex));
            return failureExit;
        });
        return cl.execute(args);
    }

    /** The command as its users, its manual and its shell completion see it: converters and --version's text. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.registerConverter(Size.class, text -> new Size(SizeParser.parse(text)));
        cl.getCommandSpec().version(BuildInfo.versionLine(cl.getCommandName()));
        return cl;
    }

    /** One line saying what went wrong, without the errno prefix or exception class noise where a message exists. */
    static String describe(Throwable ex) {
        if (ex instanceof FsException fe) {
            return fe.detail();
        }
        String msg = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException && msg != null && !msg.contains("no such")) {
            return msg + ": no such file or device";
        }
        if (ex instanceof java.nio.file.AccessDeniedException) {
            return msg + ": permission denied";
        }
        if (msg == null || msg.isBlank()) {
            return ex.getClass().getSimpleName();
        }
        return msg;
    }

    /** A byte count given as 4096, 64K, 1M... on the command line. */
    record Size(long bytes) {
        int asInt() {
            if (bytes > Integer.MAX_VALUE) {
                throw new CommandLine.TypeConversionException("size too large: " + bytes);
            }
            return (int) bytes;
        }
    }
}
