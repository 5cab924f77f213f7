package io.ext3ns.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.util.BuildInfo;
import io.ext3ns.fuse.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/ext3ns-install after `mvn package`, into a temporary prefix, sysconfdir and sbindir: every installed command
 * answers --version with this build's version and commit, `man NAME` finds its page through the installed manual
 * tree and renders it, the completion scripts are in place, and `systemd-analyze verify` accepts both units (their
 * ExecStart commands and Documentation= manuals resolved against this installation); and the fstab line
 * docs/operations.md documents becomes, through systemd's own fstab generator, a mount unit verify accepts.
 */
class InstallIT {
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final List<String> COMMANDS = List.of("mkfs.ext3ns", "fsck.ext3ns", "dump.ext3ns",
            "mount.ext3ns", "umount.ext3ns", "ext3ns-serve", "ext3ns-import", "ext3ns-sign");

    @Test
    void installedCommandsManualsCompletionAndUnits(@TempDir Path tmp) throws Exception {
        Path prefix = tmp.resolve("usr");
        Path etc = tmp.resolve("etc");
        Shell.run(REPO, List.of("bin/ext3ns-install", "--prefix", prefix.toString(), "--sysconfdir", etc.toString(),
                "--sbindir", tmp.resolve("sbin").toString()), 120).check();
        String manpath = "MANPATH=" + prefix.resolve("share/man") + " ";
        for (String c : COMMANDS) {
            Shell.Result v = Shell.run(null, List.of(prefix.resolve("bin/" + c).toString(), "--version"), 60).check();
            assertEquals(BuildInfo.versionLine(c), v.out().strip(), c);
            Shell.Result where = Shell.bash(tmp, manpath + "man -w " + c).check();
            assertEquals(prefix.resolve("share/man/man8/" + c + ".8").toString(), where.out().strip());
            Shell.Result page = Shell.bash(tmp, manpath + "MANWIDTH=100 man " + c + " | cat").check();
            assertTrue(page.out().contains(c.toUpperCase() + "(8)"), c + ":\n" + page.out());
            assertTrue(Files.isRegularFile(prefix.resolve("share/bash-completion/completions/" + c)), c);
        }
        // the bench module (benchmarks, the load generator) is not part of an installation
        assertTrue(Files.notExists(prefix.resolve("bin/ext3ns-shooter"))
                && Files.notExists(prefix.resolve("lib/ext3ns/bin/ext3ns-shooter"))
                && Files.notExists(prefix.resolve("lib/ext3ns/bench")), "bench installed");
        assertTrue(Files.isSymbolicLink(tmp.resolve("sbin/mount.fuse.ext3ns")));
        assertTrue(Files.isRegularFile(etc.resolve("ext3ns/ext3ns.conf")));

        Path units = etc.resolve("systemd/system");
        String unit = Files.readString(units.resolve("ext3ns-mount@.service"));
        assertTrue(unit.contains("ExecStart=" + prefix + "/bin/mount.ext3ns -f") && !unit.contains("@PREFIX@")
                && !unit.contains("@SYSCONFDIR@"), unit);
        Files.copy(units.resolve("ext3ns-mount@.service"), units.resolve("ext3ns-mount@srv-media.service"));
        Shell.Result verify = Shell.bash(tmp, manpath + "systemd-analyze verify "
                + units.resolve("ext3ns-serve.service") + " " + units.resolve("ext3ns-mount@srv-media.service"));
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        assertEquals("", verify.err().strip(), "systemd-analyze verify warned");
    }

    @Test
    void theDocumentedFstabLineMakesAMountUnitSystemdAccepts(@TempDir Path tmp) throws Exception {
        String doc = Files.readString(REPO.resolve("docs/operations.md"));
        String block = doc.substring(doc.indexOf("```fstab\n") + "```fstab\n".length());
        String line = block.substring(0, block.indexOf('\n'));
        assertTrue(line.contains(" fuse.ext3ns "), line);
        Files.writeString(tmp.resolve("fstab"), line + "\n");
        for (String d : List.of("normal", "early", "late")) {
            Files.createDirectory(tmp.resolve(d));
        }
        Shell.bash(tmp, "SYSTEMD_FSTAB=" + tmp.resolve("fstab") + " /lib/systemd/system-generators/"
                + "systemd-fstab-generator normal early late").check();
        String where = line.split("\\s+")[1];
        String name = Shell.run(null, List.of("systemd-escape", "--path", "--suffix=mount", where), 30).check()
                .out().strip();
        Path unit = tmp.resolve("normal").resolve(name);
        String text = Files.readString(unit);
        assertTrue(text.contains("Type=fuse.ext3ns") && text.contains("Where=" + where), text);
        assertTrue(Files.exists(tmp.resolve("normal/remote-fs.target.wants/" + name)), "_netdev: remote-fs.target");
        Shell.Result verify = Shell.run(null, List.of("systemd-analyze", "verify", unit.toString()), 60);
        assertEquals(0, verify.exit(), verify.out() + verify.err());
    }
}
