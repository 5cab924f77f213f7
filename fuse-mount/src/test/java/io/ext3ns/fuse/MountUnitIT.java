package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.journal.Journal;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.OpenOptions;
import io.ext3ns.stream.nativeio.SystemdNotify;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dist/systemd/ext3ns-mount@.service's own command lines, run in the order and with the environment systemd gives
 * them (this machine has no systemd as PID 1, so no real unit can start): the instance and %f come from
 * systemd-escape, Environment= and EnvironmentFile= set the variables, "$$" becomes "$", a "-" prefix ignores a
 * failure, ExecStart gets $NOTIFY_SOCKET. Shown: a start on a clean volume is READY only once mounted with the
 * mount's HTTP port listening, and ExecStop returns with the process gone and the volume clean; after the mount
 * process is killed (what Restart=on-failure restarts from), the ExecStartPre lines clear the dead mount and
 * fsck.ext3ns replays the journal before the next start, which finds the synced file; a volume fsck cannot pass
 * stops the start at ExecStartPre. An IT: the unit runs the bin/ launchers, which need `mvn package`.
 */
class MountUnitIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final int TIMEOUT_S = 90;

    @TempDir
    Path tmp;

    /** The unit with bin/ext3ns-install's substitutions, for the instance of {@code mnt}. */
    private record Unit(List<String> preStart, String start, String stop, Map<String, String> env) {
    }

    private Unit unit(Path mnt, Path etc, String members, String options) throws Exception {
        String instance = Shell.run(null, List.of("systemd-escape", "--path", mnt.toString()), 30).check().out()
                .strip();
        String where = Shell.run(null, List.of("systemd-escape", "--unescape", "--path", instance), 30).check()
                .out().strip();
        assertEquals(mnt.toString(), where, "%f");
        Files.createDirectories(etc.resolve("ext3ns/mounts"));
        Files.writeString(etc.resolve("ext3ns/mounts/" + instance + ".conf"),
                "MEMBERS=" + members + "\nOPTIONS=" + options + "\n");
        String text = Files.readString(REPO.resolve("dist/systemd/ext3ns-mount@.service"))
                .replace("@PREFIX@", REPO.toString()).replace("@SYSCONFDIR@", etc.toString());
        List<String> pre = new ArrayList<>();
        String start = null;
        String stop = null;
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            int eq = line.indexOf('=');
            if (line.startsWith("#") || eq < 0) {
                continue;
            }
            String key = line.substring(0, eq);
            // systemd's specifiers, then "$$" -> "$" (a literal dollar for the shell the line starts)
            String value = line.substring(eq + 1).replace("%f", where).replace("%i", instance).replace("$$", "$");
            switch (key) {
                case "ExecStartPre" -> pre.add(value);
                case "ExecStart" -> start = value;
                case "ExecStop" -> stop = value;
                case "Environment" -> env.put(value.substring(0, value.indexOf('=')),
                        value.substring(value.indexOf('=') + 1));
                case "EnvironmentFile" -> {
                    for (String kv : Files.readAllLines(Path.of(value))) {
                        env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                    }
                }
                case "Type" -> assertEquals("notify", value);
                case "Restart" -> assertEquals("on-failure", value);
                default -> { }
            }
        }
        assertTrue(start != null && stop != null && pre.stream().anyMatch(l -> l.contains("fsck.ext3ns")), text);
        return new Unit(pre, start, stop, env);
    }

    /** One command line as systemd runs it (no shell of its own: the line's words; here through bash -c exec). */
    private static Shell.Result run(Unit unit, String line) throws Exception {
        boolean ignoreFailure = line.startsWith("-");
        List<String> cmd = new ArrayList<>(List.of("env"));
        unit.env().forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("bash", "-c", "exec " + (ignoreFailure ? line.substring(1) : line)));
        Shell.Result r = Shell.run(null, cmd, 300);
        return ignoreFailure ? new Shell.Result(0, r.out(), r.err()) : r;
    }

    /** The ExecStartPre lines in order; the first failure stops the start, as in systemd. */
    private static Shell.Result preStart(Unit unit) throws Exception {
        Shell.Result last = new Shell.Result(0, "", "");
        for (String line : unit.preStart()) {
            last = run(unit, line);
            if (last.exit() != 0) {
                return last;
            }
        }
        return last;
    }

    private static Process start(Unit unit, NotifySocket socket, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "exec " + unit.start()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(unit.env());
        pb.environment().put(SystemdNotify.ENV, socket.path.toString());
        return pb.start();
    }

    @Test
    void startStopAndARestartAfterACrashReplayTheJournalFirst() throws Exception {
        Path image = tmp.resolve("media.img");
        // as an operator makes it: mkfs.ext3ns gives it a journal by default
        Shell.run(null, List.of(REPO.resolve("bin/mkfs.ext3ns").toString(), "-q", "-b", "4096", "--size", "64M",
                image.toString()), 120).check();
        try (BlockDevice dev = BlockDevices.open(List.of(image), OpenOptions.READ_ONLY)) {
            assertTrue(Journal.hasJournal(dev), "the volume has a journal");
        }
        Path mnt = tmp.resolve("srv/media");
        int http = freePort();
        Unit unit = unit(mnt, tmp.resolve("etc"), image.toString(), "http=" + http + ",pool=8M");
        Path log = tmp.resolve("service.log");
        try (NotifySocket socket = new NotifySocket(tmp.resolve("notify"))) {
            assertEquals(0, preStart(unit).exit());
            assertTrue(Files.isDirectory(mnt), "ExecStartPre made the mount point");
            Process service = start(unit, socket, log);
            try {
                String ready = socket.receive(service, TIMEOUT_S);
                assertTrue(ready.startsWith("READY=1\n"), ready);
                assertTrue(MountProcess.isMounted(mnt), "READY=1 before the mount is live");
                assertTrue(listens(http), "READY=1 before the mount's HTTP port listens");
                Shell.bash(mnt, "echo first > a && sync a").check();
                service.destroyForcibly(); // a crash: SIGKILL, the FUSE mount left dead
                assertTrue(service.waitFor(TIMEOUT_S, TimeUnit.SECONDS));
                assertNotEquals(0, service.exitValue(), "a killed service is a failure: Restart=on-failure");
                assertEquals("state 1 needs_recovery", volumeState(image), "the kill left a live journal");

                // the restart: the dead mount is cleared, the journal replayed by fsck, then the mount
                Shell.Result fsck = preStart(unit);
                assertEquals(0, fsck.exit(), fsck.out() + fsck.err());
                assertFalse(MountProcess.isMounted(mnt), "ExecStartPre cleared the dead mount");
                assertEquals("state 1", volumeState(image), "ExecStartPre's fsck replayed the journal");
                service = start(unit, socket, log);
                String again = socket.receive(service, TIMEOUT_S);
                assertTrue(again.startsWith("READY=1\n"), again);
                assertEquals("first\n", Shell.bash(mnt, "cat a").check().out());

                Shell.Result stop = run(unit, unit.stop());
                assertEquals(0, stop.exit(), stop.out() + stop.err());
                assertFalse(MountProcess.isMounted(mnt), "ExecStop unmounted");
                assertEquals("STOPPING=1", socket.receive(null, TIMEOUT_S));
                assertTrue(service.waitFor(TIMEOUT_S, TimeUnit.SECONDS), "the service process ended with ExecStop");
                assertEquals(0, service.exitValue(), Files.readString(log));
            } finally {
                if (service.isAlive()) {
                    service.destroyForcibly().waitFor(TIMEOUT_S, TimeUnit.SECONDS);
                }
                MountProcess.forceUnmount(mnt);
            }
        }
        assertEquals("state 1", volumeState(image), "ExecStop left the volume clean");
        TestImages.assertFsckClean(image);
    }

    @Test
    void aVolumeFsckCannotPassStopsTheStartBeforeTheMount() throws Exception {
        Path bad = tmp.resolve("not-a-volume.img");
        Files.write(bad, new byte[4 << 20]);
        Path mnt = tmp.resolve("srv/broken");
        Unit unit = unit(mnt, tmp.resolve("etc"), bad.toString(), "ro");
        Shell.Result r = preStart(unit);
        assertNotEquals(0, r.exit(), "the fsck step let a volume without a file system through");
        assertTrue(unit.preStart().get(unit.preStart().size() - 1).contains("fsck.ext3ns"),
                "fsck is the last step before ExecStart");
        assertFalse(MountProcess.isMounted(mnt));
    }

    private static String volumeState(Path image) throws Exception {
        try (BlockDevice dev = BlockDevices.open(List.of(image), OpenOptions.READ_ONLY)) {
            Superblock sb = VolumeReader.open(dev).superblock();
            return "state " + sb.state() + (sb.hasIncompat(Features.INCOMPAT_RECOVER) ? " needs_recovery" : "");
        }
    }

    private static boolean listens(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
