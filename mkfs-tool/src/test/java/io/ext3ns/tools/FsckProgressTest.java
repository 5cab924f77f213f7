package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.EngineTrees;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsck.ext3ns's progress bar: drawn per pass on a terminal's stderr, never in the report; absent when piped or with
 * -q; on stdout with -C 0. The report and the exit code are the same in every mode, on a clean and a damaged volume.
 */
class FsckProgressTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void cleanVolume() throws Exception {
        Path img = dir.resolve("clean.img");
        TestImages.format(img, 64L * MIB, MIB);
        EngineTrees.sampleTree(img);
        checkAllModes(img, 0);
    }

    @Test
    void damagedVolume() throws Exception {
        Path img = dir.resolve("damaged.img");
        TestImages.format(img, 64L * MIB, MIB);
        EngineTrees.sampleTree(img);
        long bitmap;
        try (FileMember dev = new FileMember(img, true)) {
            bitmap = VolumeReader.open(dev).descriptor(0).blockBitmap();
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, bitmap * MIB + 5);
            ch.write(ByteBuffer.wrap(new byte[] {(byte) (b.get(0) ^ 0x10)}), bitmap * MIB + 5);
        }
        checkAllModes(img, 4);
    }

    /** Runs fsck -f -n piped, on a terminal, on a terminal with -q, and with -C 0; compares what each shows. */
    private void checkAllModes(Path img, int exit) throws Exception {
        ExternalTool.Result piped = ToolProcess.run(FsckMain.class, "-f", "-n", img.toString());
        assertEquals(exit, piped.exitCode(), piped.toString());
        assertFalse(piped.output().contains("\r") || piped.output().contains(" ["), piped.output());
        String report = piped.output();

        Path stdout = dir.resolve("stdout.txt");
        ExternalTool.Result tty = Pty.runRedirected(FsckMain.class, "> " + stdout, "-f", "-n", img.toString());
        assertEquals(exit, tty.exitCode(), tty.toString());
        assertEquals(report, Files.readString(stdout), "the report is the same with the bar on the terminal");
        String bar = tty.output();
        for (int pass = 1; pass <= 5; pass++) {
            String title = VolumeChecker.PASS_TITLES.get(pass);
            assertTrue(bar.contains("\r" + title + " ["), "pass " + pass + " has a bar: " + bar);
        }
        assertTrue(bar.matches("(?s).*100% \\((\\d+)/\\1 inodes\\).*") && bar.contains("groups)"), bar);
        assertTrue(bar.endsWith("\n"), "the last bar line is ended");

        ExternalTool.Result quiet = Pty.runRedirected(FsckMain.class, "> " + stdout, "-q", "-f", "-n",
                img.toString());
        assertEquals(exit, quiet.exitCode(), quiet.toString());
        assertEquals("", quiet.output(), "-q: nothing on the terminal");
        assertEquals(report, Files.readString(stdout));

        ExternalTool.Result c0 = ToolProcess.run(FsckMain.class, "-C", "0", "-f", "-n", img.toString());
        assertEquals(exit, c0.exitCode(), c0.toString());
        assertTrue(c0.output().contains("\r" + VolumeChecker.PASS_TITLES.get(1) + " ["), c0.output());
        // String.lines() would split at the bar's '\r' too: split at '\n' and drop the lines that hold a bar
        String withoutBars = Arrays.stream(c0.output().split("\n")).filter(l -> !l.contains("\r"))
                .collect(Collectors.joining("\n", "", "\n"));
        assertEquals(report, withoutBars, "-C 0: the bar lines added to stdout, the report unchanged");
    }
}
