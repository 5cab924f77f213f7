package io.ext3ns.tools;

import io.ext3ns.fs.testing.ExternalTool;
import java.util.ArrayList;
import java.util.List;

/** Runs a tool's main class in its own JVM (as bin/ launchers do), to see its real exit code, stdout and stderr. */
final class ToolProcess {
    private ToolProcess() {
    }

    static ExternalTool.Result run(Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return ExternalTool.run(cmd, 60);
    }
}
