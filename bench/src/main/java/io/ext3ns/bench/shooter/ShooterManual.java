package io.ext3ns.bench.shooter;

import io.ext3ns.dist.manual.CommandCatalog;
import io.ext3ns.dist.manual.ManualsMain;
import io.ext3ns.stream.server.CommandRunner;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Build step (bench's package phase): ext3ns-shooter's manual page and completion script under DIR, rendered as
 * every other command's are (dist's catalog cannot name the shooter: nothing may depend on this module).
 */
public final class ShooterManual {
    private ShooterManual() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ShooterManual OUTPUT_DIR");
        }
        write(Path.of(args[0]));
    }

    /** Writes the page and completion; returns the shooter's command line as the page describes it. */
    public static CommandLine write(Path dir) throws IOException {
        CommandLine shooter = CommandRunner.commandLine(new ShooterMain());
        List<String> seeAlso = new ArrayList<>(CommandCatalog.all().stream().map(CommandLine::getCommandName).toList());
        seeAlso.add(shooter.getCommandName());
        ManualsMain.write(dir, List.of(shooter), seeAlso);
        return shooter;
    }
}
