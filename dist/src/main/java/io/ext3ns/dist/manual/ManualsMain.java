package io.ext3ns.dist.manual;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Build step (this module's package phase): writes DIR/man/man8/NAME.8 and DIR/bash-completion/NAME for every
 * command of {@link CommandCatalog}; bin/ext3ns-install copies both trees.
 */
public final class ManualsMain {
    private ManualsMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ManualsMain OUTPUT_DIR");
        }
        write(Path.of(args[0]));
    }

    /** Writes every page and completion script under {@code dir}; returns the command names. */
    public static List<String> write(Path dir) throws IOException {
        List<CommandLine> commands = CommandCatalog.all();
        List<String> names = commands.stream().map(CommandLine::getCommandName).toList();
        write(dir, commands, names);
        return names;
    }

    /** Writes the page and completion script of each of {@code commands}; SEE ALSO names {@code seeAlso}. */
    private static void write(Path dir, List<CommandLine> commands, List<String> seeAlso) throws IOException {
        Path man = Files.createDirectories(dir.resolve("man").resolve("man" + ManPage.SECTION));
        Path completion = Files.createDirectories(dir.resolve("bash-completion"));
        for (CommandLine c : commands) {
            String name = c.getCommandName();
            Files.writeString(man.resolve(name + "." + ManPage.SECTION), ManPage.render(c, seeAlso));
            Files.writeString(completion.resolve(name), AutoComplete.bash(name, c));
        }
    }
}
