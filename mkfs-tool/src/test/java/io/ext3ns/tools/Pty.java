package io.ext3ns.tools;

import io.ext3ns.fs.testing.ExternalTool;
import java.util.List;

/**
 * Runs a tool's main class in its own JVM on a pseudo-terminal, through script(1): stdin, stdout and stderr are a
 * terminal unless {@code redirect} sends one elsewhere. The output is what the terminal showed (the pty turns each
 * "\n" into "\r\n").
 */
final class Pty {
    private Pty() {
    }

    static ExternalTool.Result run(Class<?> main, String... args) throws Exception {
        return runRedirected(main, "", args);
    }

    /** As {@link #run}, with a shell redirection such as {@code "> out.txt"} after the command. */
    static ExternalTool.Result runRedirected(Class<?> main, String redirect, String... args) throws Exception {
        StringBuilder shell = new StringBuilder();
        for (String c : ToolProcess.command(main, args)) {
            shell.append('\'').append(c.replace("'", "'\\''")).append("' ");
        }
        shell.append(redirect);
        return ExternalTool.run(List.of("script", "-qec", shell.toString(), "/dev/null"), 60);
    }
}
