package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's two commands do their own set-up through bin/ext3ns-deps. Each case runs the real scripts with a
 * PATH that has every command of this machine except ffmpeg (and apt-get replaced by a fake, or absent), as a real
 * non-root user (setpriv) or as root, and checks what the dependency step says and does.
 */
class DependencyStepTest {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final String NOBODY = "65534";
    private static final String EXACT_COMMAND =
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ";

    @Test
    void asNonRootEachReadmeCommandStopsAndNamesTheAptCommand(@TempDir Path tmp) throws Exception {
        Path bin = pathWithout(tmp, "ffmpeg");
        for (String script : List.of("bin/ext3ns-deps", "bin/ext3ns-quickstart", "bin/ext3ns-test")) {
            Shell.Result r = run(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--",
                    "env", "PATH=" + bin, "HOME=" + tmp, "bash", script), tmp);
            assertEquals(1, r.exit(), script + ":\n" + r.err());
            assertTrue(missingLine(r.err()).contains(" ffmpeg"), script + ":\n" + r.err());
            assertTrue(r.err().contains("installing needs root (this is uid " + NOBODY + ")"), r.err());
            assertTrue(commandLine(r.err()).matches(" *" + java.util.regex.Pattern.quote(EXACT_COMMAND)
                    + "(\\S+ )*ffmpeg( \\S+)*"), script + ":\n" + r.err());
        }
        assertTrue(Files.notExists(tmp.resolve("data")), "the quickstart went on past its dependency step");
    }

    @Test
    void asRootItRunsAptGetAndReportsItsFailure(@TempDir Path tmp) throws Exception {
        Path bin = pathWithout(tmp, "ffmpeg");
        Path calls = tmp.resolve("apt-calls");
        fakeAptGet(bin, "echo \"$*\" >> " + calls + "\n"
                + "case \" $* \" in *\" install \"*)\n"
                + "  echo 'E: Unable to locate package ffmpeg' >&2; exit 100 ;;\nesac\n");
        for (String script : List.of("bin/ext3ns-quickstart", "bin/ext3ns-test")) {
            Files.deleteIfExists(calls);
            Shell.Result r = run(List.of("env", "PATH=" + bin, "bash", script), tmp);
            assertEquals(1, r.exit(), script + ":\n" + r.err());
            assertTrue(r.err().contains("E: Unable to locate package ffmpeg"), r.err());
            assertTrue(r.err().contains("apt-get failed"), r.err());
            assertTrue(commandLine(r.err()).contains(EXACT_COMMAND), r.err());
            List<String> log = Files.readAllLines(calls);
            assertEquals(2, log.size(), script + ": " + log);
            assertTrue(log.get(0).startsWith("update"), log.toString());
            assertTrue(log.get(1).startsWith("install -y") && List.of(log.get(1).split(" ")).contains("ffmpeg"),
                    log.toString());
        }
    }

    @Test
    void asRootWithoutAptGetItSaysSo(@TempDir Path tmp) throws Exception {
        Path bin = pathWithout(tmp, "ffmpeg");
        for (String script : List.of("bin/ext3ns-deps", "bin/ext3ns-quickstart", "bin/ext3ns-test")) {
            Shell.Result r = run(List.of("env", "PATH=" + bin, "bash", script), tmp);
            assertEquals(1, r.exit(), script + ":\n" + r.err());
            assertTrue(missingLine(r.err()).contains(" ffmpeg"), script + ":\n" + r.err());
            assertTrue(r.err().contains("apt-get is not on PATH"), script + ":\n" + r.err());
            assertTrue(commandLine(r.err()).contains(EXACT_COMMAND), script + ":\n" + r.err());
        }
    }

    @Test
    void asRootItInstallsWithOneUpdateAndThenFindsTheCommand(@TempDir Path tmp) throws Exception {
        Path bin = pathWithout(tmp, "ffmpeg");
        Path calls = tmp.resolve("apt-calls");
        String realFfmpeg = Shell.bash(null, "command -v ffmpeg").check().out().trim();
        // "installing" puts ffmpeg where the PATH finds it, as the real package does in /usr/bin
        fakeAptGet(bin, "echo \"$*\" >> " + calls + "\n"
                + "case \" $* \" in *\" install \"*) ln -s " + realFfmpeg + " " + bin.resolve("ffmpeg") + " ;; esac\n");
        Shell.Result r = run(List.of("env", "PATH=" + bin, "bash", "bin/ext3ns-deps"), tmp);
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("installing") && r.out().contains("ffmpeg") && r.out().contains("installed"),
                r.out());
        List<String> log = Files.readAllLines(calls);
        assertEquals(1, log.stream().filter(l -> l.startsWith("update")).count(), log.toString());
        Shell.Result again = run(List.of("env", "PATH=" + bin, "bash", "bin/ext3ns-deps"), tmp);
        assertEquals(0, again.exit(), again.err());
        assertEquals(2, Files.readAllLines(calls).size(), "a second run with nothing missing called apt-get");
    }

    private static Shell.Result run(List<String> command, Path tmp) throws IOException, InterruptedException {
        return Shell.run(REPO, command, 60);
    }

    /** The line naming the missing packages. */
    private static String missingLine(String err) {
        return err.lines().filter(l -> l.startsWith("ext3ns-deps: missing:")).findFirst().orElse("") + " ";
    }

    /** The line after "install them as root with:". */
    private static String commandLine(String err) {
        List<String> lines = err.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).endsWith("install them as root with:")) {
                return lines.get(i + 1);
            }
        }
        return "";
    }

    /**
     * A directory with a link to every command on this machine's PATH except {@code left} and apt-get, readable by
     * any user (the non-root case runs in it).
     */
    private static Path pathWithout(Path tmp, String left) throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = Files.createDirectory(tmp.resolve("bin"));
        List<String> dirs = new ArrayList<>(List.of(System.getenv("PATH").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(d)) {
                for (Path e : (Iterable<Path>) entries::iterator) {
                    String name = e.getFileName().toString();
                    Path link = bin.resolve(name);
                    if (!name.equals(left) && !name.equals("apt-get") && Files.isExecutable(e)
                            && Files.notExists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, e);
                    }
                }
            }
        }
        return bin;
    }

    private static void fakeAptGet(Path bin, String body) throws IOException {
        Path apt = bin.resolve("apt-get");
        Files.writeString(apt, "#!/bin/bash\n" + body + "exit 0\n");
        Files.setPosixFilePermissions(apt, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
