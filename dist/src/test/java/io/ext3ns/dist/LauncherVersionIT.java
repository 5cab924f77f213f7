package io.ext3ns.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.util.BuildInfo;
import io.ext3ns.dist.manual.CommandCatalog;
import io.ext3ns.fuse.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every executable in bin/ (commands, benchmarks, the test entry point, the shared launcher) answers --version with
 * this build's version and commit, exit 0 and nothing else, run from the tree `mvn package` left (an IT: the mount's
 * jar is there only after package). A launcher that neither is a picocli command of the catalog nor handles
 * --version in its first lines is not run but reported: it would start a benchmark or a build instead.
 */
class LauncherVersionIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final int HEAD_LINES = 15;

    @Test
    void everyLauncherInBinAnswersVersion(@TempDir Path cwd) throws Exception {
        Set<String> picocli = CommandCatalog.all().stream().map(CommandLine::getCommandName)
                .collect(Collectors.toSet());
        List<Path> launchers;
        try (Stream<Path> bin = Files.list(REPO.resolve("bin"))) {
            launchers = bin.filter(Files::isExecutable).sorted().toList();
        }
        assertTrue(launchers.size() >= 20, "launchers in bin/: " + launchers);
        List<String> wrong = new ArrayList<>();
        for (Path launcher : launchers) {
            String name = launcher.getFileName().toString();
            try (Stream<String> lines = Files.lines(launcher)) {
                if (!picocli.contains(name) && lines.limit(HEAD_LINES).noneMatch(l -> l.contains("--version"))) {
                    wrong.add(name + ": does not handle --version in its first " + HEAD_LINES + " lines (not run)");
                    continue;
                }
            }
            // from an empty directory, so that a launcher taking --version for a path could not touch the tree
            Shell.Result r = Shell.run(cwd, List.of(launcher.toString(), "--version"), 60);
            if (r.exit() != 0 || !r.out().strip().equals(BuildInfo.versionLine(name)) || !r.err().isBlank()) {
                wrong.add(name + ": exit " + r.exit() + ", stdout '" + r.out().strip() + "', stderr '"
                        + r.err().strip() + "'");
            }
        }
        assertEquals(List.of(), wrong, "expected: " + BuildInfo.versionLine("NAME"));
        try (Stream<Path> left = Files.list(cwd)) {
            assertEquals(List.of(), left.toList(), "--version wrote files");
        }
        assertTrue(!BuildInfo.version().equals("unknown"), BuildInfo.versionLine("the test"));
    }
}
