package io.ext3ns.tools;

import io.ext3ns.fs.testing.ExternalTool;
import java.util.ArrayList;
import java.util.List;

/** Runs a tool's main class in its own JVM (as bin/ launchers do), to see its real exit code, stdout and stderr. */
final class ToolProcess {
    private ToolProcess() {
    }

    static ExternalTool.Result run(Class<?> main, String... args) throws Exception {
        return ExternalTool.run(command(main, args), 60);
    }

    /** The java command line that runs {@code main} with this test's class path. */
    static List<String> command(Class<?> main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
