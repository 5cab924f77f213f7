package io.ext3ns.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.journal.Journal;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.OpenOptions;
import io.ext3ns.sda.testing.LoopDevices;
import io.ext3ns.tools.FsckMain;
import io.ext3ns.tools.MkfsMain;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 16 A-C through mount.ext3ns: a crash of a journal-less volume is repaired by fsck -y and the volume mounts
 * read-write again; the quickstart's volume (1 MiB blocks, 4 x 4 GiB sparse members) gets a journal that replays
 * after a kill -9; a read-only member refuses the mount before any member is written; a corrupt group descriptor is
 * refused with one line instead of a mount that answers ENOENT.
 */
class RecoveryMountTest {
    @TempDir
    Path tmp;

    private static String volumeState(List<Path> members) throws Exception {
        try (BlockDevice dev = BlockDevices.open(members, OpenOptions.READ_ONLY)) {
            Superblock sb = VolumeReader.open(dev).superblock();
            return "state " + sb.state() + (sb.hasIncompat(Features.INCOMPAT_RECOVER) ? " needs_recovery" : "");
        }
    }

    private static String md5(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return Arrays.toString(md.digest());
    }

    /** Runs a tool's main class (mkfs.ext3ns, fsck.ext3ns) in a JVM of its own, as bin/ launches it. */
    private static Shell.Result tool(Class<?> main, List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(args);
        return Shell.run(null, cmd, 300);
    }

    private static String joined(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(","));
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @ValueSource(ints = {4096, 1 << 20})
    void aCrashedVolumeWithoutJournalMountsReadWriteAfterFsckYes(int bs) throws Exception {
        Path image = TestImages.ext3ns(tmp.resolve("nj.img"), bs == 4096 ? 64L << 20 : 512L << 20, bs);
        Path mnt = tmp.resolve("mnt");
        try (MountProcess victim = MountProcess.mount(image.toString(), mnt, "")) {
            Shell.bash(mnt, "echo hello > a && sync a").check();
            victim.kill();
            MountProcess.fusermountUnmount(mnt).check();
        }
        assertEquals("state 0", volumeState(List.of(image)), "a crash leaves the volume not clean");
        Shell.Result refused = Shell.run(null, MountProcess.command(image.toString(), mnt.toString(), "-f"), 120);
        assertEquals(32, refused.exit(), refused.err());
        assertTrue(refused.err().contains("fsck.ext3ns"), refused.err());

        Shell.Result fsck = tool(FsckMain.class, List.of("-fy", image.toString()));
        assertEquals(1, fsck.exit(), fsck.out() + fsck.err());
        assertTrue(fsck.out().contains("marked clean"), fsck.out());
        assertEquals("state 1", volumeState(List.of(image)), "fsck -y marked it clean");
        assertEquals(0, tool(FsckMain.class, List.of("-fn", image.toString())).exit());
        MountProcess.withMount(image, mnt, "", m -> assertEquals("hello\n", Shell.bash(mnt, "cat a").check().out()));
    }

    @Test
    void theQuickstartVolumeGetsAJournalThatReplaysAfterAKill() throws Exception {
        List<Path> members = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of("-q", "-b", "1M", "--layout", "split", "--size", "4G", "-L",
                "media"));
        for (int i = 0; i < 4; i++) {
            members.add(tmp.resolve("media" + i));
            args.add(members.get(i).toString());
        }
        Shell.Result mkfs = tool(MkfsMain.class, args);
        assertEquals(0, mkfs.exit(), "bin/ext3ns-quickstart's mkfs: " + mkfs.out() + mkfs.err());
        try (BlockDevice dev = BlockDevices.open(members, OpenOptions.READ_ONLY)) {
            assertTrue(Journal.hasJournal(dev), "a 16 GiB volume at 1 MiB blocks has a journal by default");
            assertEquals(255, Journal.open(dev).logCapacity(), "256 blocks: 256 MiB");
        }
        Path mnt = tmp.resolve("mnt");
        Shell.bash(tmp, "head -c 5000000 /dev/urandom > src").check();
        try (MountProcess victim = MountProcess.mount(joined(members), mnt, "commit=3600")) {
            Shell.bash(tmp, "cp src mnt/a && sync mnt/a && mkdir mnt/d && echo hi > mnt/d/b && sync mnt/d/b").check();
            victim.kill();
            MountProcess.fusermountUnmount(mnt).check();
        }
        assertEquals("state 1 needs_recovery", volumeState(members), "the kill left a live journal");
        try (MountProcess again = MountProcess.mount(joined(members), mnt, "")) { // replays, then mounts
            Shell.bash(tmp, "cmp src mnt/a").check();
            assertEquals("hi\n", Shell.bash(mnt, "cat d/b").check().out());
            assertEquals(0, again.unmount(), again.log());
            assertTrue(again.log().contains("replayed"), again.log());
        }
        assertEquals("state 1", volumeState(members));
        TestImages.assertCheckerClean(members);
    }

    @Test
    void aReadOnlyMemberRefusesTheMountBeforeAnyMemberIsWritten() throws Exception {
        assumeTrue(LoopDevices.available(), "needs root and losetup");
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(tmp.resolve("m" + i));
        }
        TestImages.ext3nsArray(files, 64L << 20);
        Path single = TestImages.ext3ns(tmp.resolve("single.img"), 64L << 20, 4096);
        List<String> before = new ArrayList<>();
        for (Path f : files) {
            before.add(md5(f));
        }
        String singleBefore = md5(single);
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        try (LoopDevices loops = new LoopDevices()) {
            List<Path> devices = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                devices.add(i == 3 ? loops.attachReadOnly(files.get(i)) : loops.attach(files.get(i)));
            }
            Shell.Result array = Shell.run(null, MountProcess.command(joined(devices), mnt.toString(), "-f"), 120);
            assertEquals(32, array.exit(), array.err());
            assertTrue(array.err().contains(devices.get(3) + " is a read-only block device")
                    && array.err().contains("-o ro"), array.err());
            assertFalse(MountProcess.isMounted(mnt));
            try (MountProcess ro = MountProcess.mount(joined(devices), mnt, "ro")) { // the advice works
                assertEquals("lost+found\n", Shell.bash(mnt, "ls").check().out());
                assertEquals(0, ro.unmount(), ro.log());
            }

            Path singleRo = loops.attachReadOnly(single);
            Shell.Result one = Shell.run(null, MountProcess.command(singleRo.toString(), mnt.toString(), "-f"), 120);
            assertEquals(32, one.exit(), one.err());
            assertTrue(one.err().contains("read-only") && one.err().contains("-o ro")
                    && !one.err().contains("does not hold a usable"), one.err());
        }
        for (int i = 0; i < 4; i++) {
            assertEquals(before.get(i), md5(files.get(i)), "member " + i + " unchanged");
        }
        assertEquals(singleBefore, md5(single));
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @ValueSource(ints = {4096, 1 << 20})
    void aCorruptGroupDescriptorIsRefusedInOneLine(int bs) throws Exception {
        // issue 16's reproduction: bg_inode_table of group 0 = 0 (the descriptor table starts at block 1)
        Path image = TestImages.ext3ns(tmp.resolve("c.img"), bs == 4096 ? 32L << 20 : 192L << 20, bs);
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(bs + 8L);
            f.write(new byte[4]);
        }
        String before = md5(image);
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Shell.Result r = Shell.run(null, MountProcess.command(image.toString(), mnt.toString(), "-f"), 120);
        assertEquals(32, r.exit(), r.out() + r.err());
        List<String> lines = r.err().lines().filter(l -> l.startsWith("mount.ext3ns:")).toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).contains("group 0 descriptor: inode table 0"), lines.get(0));
        assertFalse(MountProcess.isMounted(mnt));
        assertEquals(before, md5(image), "a refused mount changes no byte");
    }
}
