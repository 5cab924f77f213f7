package io.ext3ns.dist.manual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.util.BuildInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The generated manuals and completion scripts, judged by man(1) and bash: every page renders with `man -l` without
 * groff warnings and documents every option its command accepts; every completion script loads and completes an
 * option; every command answers --version with the build's version and commit; every launcher in bin/ that is a
 * command (not a benchmark or internal helper) has a page.
 */
class ManualsTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    /**
     * Launchers in bin/ that are not installed commands: the shared launcher, the test entry point, the package list,
     * and, like the benchmarks, the load generator (the bench module's, run from the built tree).
     */
    private static final Set<String> NOT_COMMANDS = Set.of("ext3ns-launch", "ext3ns-test", "ext3ns-deps.list",
            "ext3ns-shooter");

    @Test
    void everyPageRendersWithManAndDocumentsEveryOption(@TempDir Path tmp) throws Exception {
        List<String> names = ManualsMain.write(tmp);
        for (CommandLine command : CommandCatalog.all()) {
            String name = command.getCommandName();
            Path page = tmp.resolve("man/man8/" + name + ".8");
            Result man = run(List.of("man", "--warnings", "-l", page.toString()), "MANWIDTH=200");
            assertEquals(0, man.exit, name + ": " + man.err);
            assertEquals("", man.err.strip(), name + ": groff warnings");
            String text = man.out.replace("\u2010", "-"); // groff may render hyphens as U+2010
            assertTrue(text.contains("NAME") && text.matches("(?s).*\\n +" + java.util.regex.Pattern.quote(name)
                    + " +- +\\S.*"), name + ":\n" + text);
            assertTrue(text.contains("SYNOPSIS") && text.contains("VERSION") && text.contains(BuildInfo.commit()),
                    name + ":\n" + text);
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (!option.hidden()) {
                    assertTrue(text.contains(option.longestName()), name + " lacks " + option.longestName());
                }
            }
            names.stream().filter(n -> !n.equals(name)).forEach(other ->
                    assertTrue(text.contains(other + "(8)"), name + ": SEE ALSO lacks " + other));
        }
    }

    @Test
    void everyCompletionScriptLoadsAndCompletesAnOption(@TempDir Path tmp) throws Exception {
        ManualsMain.write(tmp);
        for (CommandLine command : CommandCatalog.all()) {
            String name = command.getCommandName();
            String option = command.getCommandSpec().options().stream().filter(o -> !o.hidden())
                    .map(OptionSpec::longestName).filter(n -> n.startsWith("--")).findFirst().orElseThrow();
            String prefix = option.substring(0, Math.min(option.length(), 4));
            String script = "source " + tmp.resolve("bash-completion/" + name) + " && complete -p " + name
                    + " && COMP_WORDS=(" + name + " " + prefix + ") && COMP_CWORD=1 && COMP_LINE='" + name + " "
                    + prefix + "' && COMP_POINT=${#COMP_LINE} && _picocli_" + name + " 2>/dev/null;"
                    + " printf '%s\\n' \"${COMPREPLY[@]}\"";
            Result r = run(List.of("bash", "-c", script));
            assertEquals(0, r.exit, name + ": " + r.err);
            assertTrue(r.out.contains("-F _complete_" + name), name + ": " + r.out);
            assertTrue(r.out.lines().anyMatch(option::equals), name + ": " + prefix + " did not complete to "
                    + option + ":\n" + r.out);
        }
    }

    @Test
    void everyCommandAnswersVersionWithTheBuildsVersionAndCommit() {
        for (CommandLine command : CommandCatalog.all()) {
            StringWriter out = new StringWriter();
            command.setOut(new PrintWriter(out));
            assertEquals(0, command.execute("--version"), command.getCommandName());
            assertEquals(BuildInfo.versionLine(command.getCommandName()), out.toString().strip());
            assertTrue(out.toString().contains(BuildInfo.version()) && !BuildInfo.version().equals("unknown"));
        }
    }

    @Test
    void everyCommandInBinHasAPage() throws IOException {
        Set<String> catalog = CommandCatalog.all().stream().map(CommandLine::getCommandName)
                .collect(Collectors.toSet());
        try (Stream<Path> bin = Files.list(REPO.resolve("bin"))) {
            List<String> missing = bin.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith("ext3ns-bench-") && !NOT_COMMANDS.contains(n))
                    .filter(n -> !catalog.contains(n)).toList();
            assertEquals(List.of(), missing, "commands in bin/ without a manual");
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(List<String> command, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        for (String e : env) {
            pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
        }
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        // outputs here are small (one page): reading stdout then stderr cannot fill a pipe and block
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command.toString());
        return new Result(p.exitValue(), out, err);
    }
}
