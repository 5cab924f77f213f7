package io.ext3ns.stream.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.ext3ns.fs.util.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ext3ns-serve's options from ext3ns.conf's serve.* lines, by their long names; the command line wins. */
class ConfigDefaultsTest {
    private static ServeMain parse(Path conf, String... args) throws Exception {
        ServeMain serve = new ServeMain();
        CommandLine cl = CommandRunner.commandLine(serve);
        cl.setDefaultValueProvider(new ConfigDefaults(ConfigFile.load(conf), ConfigDefaults.sectionOf("ext3ns-serve")));
        cl.parseArgs(args);
        return serve;
    }

    @Test
    void optionsAndMembersComeFromTheFileAndFlagsOverrideThem(@TempDir Path tmp) throws Exception {
        Path conf = tmp.resolve("ext3ns.conf");
        Files.writeString(conf, "serve.members = /d/0,/d/1\nserve.http = 9090\nserve.pool-mb = 64\n"
                + "serve.max-sessions-per-client = 7\nmount.http = 1\n");
        ServeMain fromFile = parse(conf);
        assertEquals(List.of("/d/0,/d/1"), fromFile.members);
        assertEquals(9090, fromFile.http);
        assertEquals(64, fromFile.poolMb);
        assertEquals(7, fromFile.maxPerClient);
        assertEquals(8554, fromFile.rtsp, "an option the file does not name keeps its default");

        ServeMain flags = parse(conf, "--http", "7070", "/x/img");
        assertEquals(7070, flags.http);
        assertEquals(List.of("/x/img"), flags.members);
        assertEquals(64, flags.poolMb);
    }

    @Test
    void withoutMembersAnywhereItIsAUsageError(@TempDir Path tmp) {
        assertThrows(CommandLine.MissingParameterException.class, () -> parse(tmp.resolve("absent.conf")));
    }

    @Test
    void aBadValueInTheFileIsReportedAsThatOption(@TempDir Path tmp) throws Exception {
        Path conf = tmp.resolve("ext3ns.conf");
        Files.writeString(conf, "serve.http = lots\n");
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> parse(conf, "/x/img"));
        assertEquals(true, e.getMessage().contains("--http"), e.getMessage());
    }
}
