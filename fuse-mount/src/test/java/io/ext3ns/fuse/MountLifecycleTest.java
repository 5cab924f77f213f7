package io.ext3ns.fuse;

import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fuse.mount.BackgroundMount;
import io.ext3ns.sda.FileMember;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Starting and ending mounts: background start, mount(8)'s helper route, signals, locks, stale mounts. */
class MountLifecycleTest {
    @TempDir
    Path tmp;

    /** Mount points a test mounted in the background; @AfterEach unmounts them and ends their processes. */
    private final List<Path> backgroundMounts = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Path mnt : backgroundMounts) {
            MountProcess.forceUnmount(mnt);
            Shell.bash(null, "pkill -KILL -f 'io.ext3ns.fuse.MountMain .*" + mnt + "( |$)' || true");
            Files.deleteIfExists(BackgroundMount.defaultLogFile(mnt.toAbsolutePath()));
        }
    }

    private Path image() throws Exception {
        return TestImages.mke2fs(tmp.resolve("vol.img"), "32M", 4096);
    }

    /** Waits until no mount process serves {@code mnt} any more (it has flushed and exited). */
    private static void awaitMountProcessGone(Path mnt) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (Shell.bash(null, "pgrep -f 'io.ext3ns.fuse.MountMain .*" + mnt + "( |$)'").exit() != 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the mount process for " + mnt + " did not exit");
    }

    private static String quoted(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (String part : command) {
            sb.append('\'').append(part.replace("'", "'\\''")).append("' ");
        }
        return sb.toString();
    }

    @Test
    void backgroundMountReturnsOnceLiveAndUnmountLeavesItClean() throws Exception {
        Path image = image();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path log = tmp.resolve("mount.log");
        backgroundMounts.add(mnt);
        Shell.Result r = Shell.run(null, MountProcess.command(image.toString(), mnt.toString(), "-o",
                "logfile=" + log + ",cache=64M,readahead=2048"), 120);
        assertEquals(0, r.exit(), r.err());
        // Returned means live: no waiting here.
        assertTrue(MountProcess.isMounted(mnt));
        Shell.bash(mnt, "echo data > f && cat f").check();
        String dev = Shell.bash(null, "mountpoint -d " + mnt).check().out().trim();
        assertEquals("2048", Files.readString(Path.of("/sys/class/bdi", dev, "read_ahead_kb")).trim());
        String mountLine = Shell.bash(null, "grep ' " + mnt + " ' /proc/mounts").check().out();
        assertTrue(mountLine.startsWith(image + " " + mnt + " fuse.ext3ns "), mountLine);
        MountProcess.fusermountUnmount(mnt).check();
        awaitMountProcessGone(mnt);
        assertTrue(Files.readString(log).contains("flushed and closed"), Files.readString(log));
        TestImages.assertFsckClean(image);
    }

    @Test
    void fuseMountHelperRouteWorks() throws Exception {
        // mount -t fuse.ext3ns (and fstab) without /sbin/mount.fuse.ext3ns runs /sbin/mount.fuse, which runs the
        // subtype "ext3ns" with "SOURCE MOUNTPOINT -o OPTIONS" (mount(8) itself would pass the same arguments to
        // /sbin/mount.fuse.ext3ns). mount(8) resets PATH, so the test calls mount.fuse directly with its own PATH.
        Path image = image();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path helper = bin.resolve("ext3ns");
        Files.writeString(helper, "#!/bin/sh\nexec " + quoted(MountProcess.command()) + "\"$@\"\n");
        helper.toFile().setExecutable(true);
        backgroundMounts.add(mnt);
        Shell.bash(null, "PATH=" + bin + ":$PATH /sbin/mount.fuse " + image + " " + mnt
                + " -t fuse.ext3ns -o rw,noatime,_netdev,logfile=" + tmp.resolve("helper.log")).check();
        assertTrue(MountProcess.isMounted(mnt), "mount.fuse returns once the mount is live");
        Shell.bash(mnt, "mkdir x && echo via-mount8 > x/f").check();
        Shell.bash(null, "umount " + mnt).check();
        awaitMountProcessGone(mnt);
        TestImages.assertFsckClean(image);
    }

    @Test
    void sigtermUnmountsFlushesAndKeepsTheData() throws Exception {
        Path image = image();
        Path mnt = tmp.resolve("mnt");
        try (MountProcess mount = MountProcess.mount(image.toString(), mnt, "")) {
            Shell.bash(mnt, "head -c 3000000 /dev/urandom > r && md5sum r > /dev/null").check();
            String sum = Shell.bash(mnt, "md5sum < r").check().out();
            mount.terminate();
            assertFalse(MountProcess.isMounted(mnt), "unmounted by the signal");
            assertTrue(mount.log().contains("flushed and closed"), mount.log());
            TestImages.assertFsckClean(image);
            try (MountProcess again = MountProcess.mount(image.toString(), mnt, "ro")) {
                assertEquals(sum, Shell.bash(mnt, "md5sum < r").check().out());
                assertEquals(0, again.unmount(), again.log());
            }
        }
    }

    @Test
    void anArrayMountsByItsMemberListAndLocksEveryMember() throws Exception {
        List<Path> members = TestImages.ext3nsArray(List.of(tmp.resolve("m0"), tmp.resolve("m1"), tmp.resolve("m2"),
                tmp.resolve("m3")), 200L << 20);
        String source = String.join(",", members.stream().map(Path::toString).toList());
        try (MountProcess mount = MountProcess.mount(source, tmp.resolve("mnt"), "")) {
            Shell.bash(tmp, "head -c 30000000 /dev/urandom > src && cp src mnt/ && cmp src mnt/src").check();
            String mountLine = Shell.bash(null, "grep ' " + mount.mountPoint + " ' /proc/mounts").check().out();
            assertTrue(mountLine.startsWith(source + " "), "the member list is the source: " + mountLine);
            Path other = Files.createDirectories(tmp.resolve("other"));
            backgroundMounts.add(other);
            Shell.Result r = Shell.run(null, MountProcess.command(members.get(2).toString(), other.toString()), 120);
            assertEquals(32, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("in use"), r.err());
            assertEquals(0, mount.unmount(), mount.log());
        }
        TestImages.assertCheckerClean(members);
    }

    @Test
    void aSecondMountOfTheSameMemberIsRefused() throws Exception {
        Path image = image();
        try (MountProcess first = MountProcess.mount(image.toString(), tmp.resolve("mnt"), "")) {
            Path other = Files.createDirectories(tmp.resolve("other"));
            backgroundMounts.add(other);
            Shell.Result r = Shell.run(null, MountProcess.command(image.toString(), other.toString(), "-f"), 120);
            assertEquals(32, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("in use"), r.err());
            assertFalse(MountProcess.isMounted(other));
            assertEquals(0, first.unmount(), first.log());
        }
        TestImages.assertFsckClean(image);
    }

    @Test
    void aStaleMountFromAKilledProcessIsDetected() throws Exception {
        Path image = image();
        Path mnt = tmp.resolve("mnt");
        try (MountProcess victim = MountProcess.mount(image.toString(), mnt, "")) {
            Shell.bash(mnt, "echo data > f && sync f").check(); // made durable, then the process is killed
            victim.kill();
            Shell.Result r = Shell.run(null, MountProcess.command(image.toString(), mnt.toString()), 120);
            assertEquals(32, r.exit(), r.out() + r.err());
            assertTrue(r.err().contains("stale") && r.err().contains("fusermount -u " + mnt), r.err());
            MountProcess.fusermountUnmount(mnt).check(); // the advice works
            assertFalse(MountProcess.isMounted(mnt));
        }
        // What was made durable (fsync) before the kill is there when the volume is mounted again.
        try (MountProcess ro = MountProcess.mount(image.toString(), mnt, "ro")) {
            assertEquals("data\n", Shell.bash(mnt, "cat f").check().out());
            assertEquals(0, ro.unmount(), ro.log());
        }
    }

    /** Full blocks are written behind the writer; fsync waits for them, so they survive a kill -9 right after. */
    @Test
    void dataWrittenBehindAndFsyncedSurvivesAKill() throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("wb.img"), 128L << 20, 1 << 20);
        Path mnt = tmp.resolve("mnt");
        Shell.bash(tmp, "head -c $((9 * 1024 * 1024 + 12345)) /dev/urandom > src").check();
        try (MountProcess victim = MountProcess.mount(image.toString(), mnt, "commit=3600")) {
            Shell.bash(tmp, "dd if=src of=mnt/f bs=128k conv=fsync status=none").check();
            victim.kill();
            MountProcess.fusermountUnmount(mnt).check();
        }
        try (MountProcess ro = MountProcess.mount(image.toString(), mnt, "ro")) {
            Shell.bash(tmp, "cmp src mnt/f").check();
            assertEquals(0, ro.unmount(), ro.log());
        }
    }

    /**
     * Whether the image as it stands on disk holds {@code path} with {@code content}: recovered (journal replay,
     * repairs) on a copy, as a crash now would leave it.
     */
    private boolean onDisk(Path image, String path, String content) throws Exception {
        Path copy = tmp.resolve("probe.img");
        try {
            Files.copy(image, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (FileMember dev = new FileMember(copy, false)) {
                VolumeChecker.check(dev, CheckOptions.FIX_FORCED);
            }
            try (FileMember dev = new FileMember(copy, true)) {
                VolumeReader v = VolumeReader.open(dev);
                long ino = v.lookup(path);
                Inode in = v.readInode(ino);
                byte[] want = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (in.size() != want.length) {
                    return false;
                }
                List<long[]> blocks = v.dataBlocks(ino, in);
                return !blocks.isEmpty() && java.util.Arrays.equals(want,
                        java.util.Arrays.copyOf(v.readBlock(blocks.get(0)[1]), want.length));
            } catch (java.io.IOException notThere) {
                return false; // not named yet (or not readable as it stands): not durable
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    @Test
    void theCommitIntervalMakesUnsyncedWritesSurviveAKill() throws Exception {
        Path image = image();
        Path mnt = tmp.resolve("mnt");
        try (MountProcess victim = MountProcess.mount(image.toString(), mnt, "commit=1")) {
            Shell.bash(mnt, "echo recorded > g").check(); // no fsync: only the commit timer makes it durable
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (!onDisk(image, "/g", "recorded\n")) {
                assertTrue(System.nanoTime() < deadline, "the commit timer never made g durable:\n" + victim.log());
                Thread.sleep(100);
            }
            victim.kill();
            // a killed daemon's connection may still hold the release of g: fusermount -u can say busy, then a
            // lazy unmount detaches it
            MountProcess.forceUnmount(mnt);
            assertFalse(MountProcess.isMounted(mnt), "still mounted after the kill");
        }
        try (MountProcess ro = MountProcess.mount(image.toString(), mnt, "ro")) {
            assertEquals("recorded\n", Shell.bash(mnt, "cat g").check().out());
            assertEquals(0, ro.unmount(), ro.log());
        }
    }

    @Test
    void aVolumeWithoutJournalLeftNotCleanIsRefusedReadWriteAndMountsReadOnly() throws Exception {
        // (A journaled volume is recovered by replaying its journal instead: the test above.)
        Path image = tmp.resolve("nojournal.img");
        Shell.run(null, List.of("mke2fs", "-q", "-F", "-t", "ext3", "-O",
                "^has_journal,^resize_inode,^dir_index,^ext_attr", "-b", "4096", "-I", "256", image.toString(), "32M"),
                120).check();
        Shell.run(null, List.of("debugfs", "-w", "-R", "ssv state 0", image.toString()), 60).check();
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        backgroundMounts.add(mnt);
        Shell.Result rw = Shell.run(null, MountProcess.command(image.toString(), mnt.toString()), 120);
        assertEquals(32, rw.exit(), rw.out() + rw.err());
        assertTrue(rw.err().contains("cannot mount " + image + " read-write") && rw.err().contains("fsck.ext3ns"),
                rw.err());
        try (MountProcess ro = MountProcess.mount(image.toString(), mnt, "ro")) {
            assertEquals("lost+found\n", Shell.bash(mnt, "ls").check().out());
            assertEquals(0, ro.unmount(), ro.log());
        }
    }

    @Test
    void badInputFailsWithAClearMessage() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        backgroundMounts.add(mnt);
        Path junk = tmp.resolve("junk.img");
        Shell.bash(null, "head -c 8000000 /dev/urandom > " + junk).check();
        Shell.Result notFs = Shell.run(null, MountProcess.command(junk.toString(), mnt.toString()), 120);
        assertEquals(32, notFs.exit(), notFs.err());
        assertTrue(notFs.err().contains("does not hold a usable"), notFs.err());

        Shell.Result missing = Shell.run(null, MountProcess.command(tmp.resolve("nope.img").toString(),
                mnt.toString(), "-f"), 120);
        assertEquals(32, missing.exit(), missing.err());
        assertTrue(missing.err().contains("nope.img"), missing.err());

        Shell.Result badOption = Shell.run(null, MountProcess.command(junk.toString(), mnt.toString(), "-o",
                "cache=lots"), 120);
        assertEquals(1, badOption.exit(), badOption.err());
        assertTrue(badOption.err().contains("cache=lots"), badOption.err());
        assertFalse(MountProcess.isMounted(mnt));
    }
}
