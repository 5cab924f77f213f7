package io.ext3ns.tools.sda;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.OpenOptions;
import io.ext3ns.sda.StreamDiskArray;
import io.ext3ns.sda.testing.LoopDevices;
import io.ext3ns.tools.FsckMain;
import io.ext3ns.tools.MkfsMain;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mkfs.ext3ns and fsck.ext3ns on a member list of four loop devices: the array is built, used, checked clean, and
 * a wrong member list or a member in use is refused with a message naming the member.
 */
class SdaToolsTest {
    @TempDir
    Path dir;

    @Test
    void mkfsBuildsASplitArrayAndFsckChecksIt() throws Exception {
        Assumptions.assumeTrue(LoopDevices.available(), "needs root and losetup to attach loop devices");
        try (LoopDevices loops = new LoopDevices()) {
            List<String> d = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Path backing = dir.resolve("m" + i);
                try (RandomAccessFile f = new RandomAccessFile(backing.toFile(), "rw")) {
                    f.setLength(40L << 20);
                }
                d.add(loops.attach(backing).toString());
            }
            assertTool(0, null, MkfsMain.class, "-q", "-b", "1M", "--layout", "split", d.get(0), d.get(1), d.get(2),
                    d.get(3));
            List<Path> members = d.stream().map(Path::of).toList();
            try (FileSystem fs = Ext3FileSystem.open(BlockDevices.open(members, OpenOptions.READ_WRITE.exclusively()),
                    EngineOptions.defaults())) {
                long ino = fs.create(FileSystem.ROOT_INO, "clip.ts", 0644, 0, 0);
                FileHandle h = fs.open(ino, true);
                fs.write(h, 0, ByteBuffer.wrap(new byte[5 << 20]));
                fs.release(h);
            }
            assertTool(0, null, FsckMain.class, "-f", d.get(0), d.get(1), d.get(2), d.get(3));
            assertTool(8, d.get(1) + ": wrong order", FsckMain.class, "-f", d.get(1), d.get(0), d.get(2), d.get(3));
            assertTool(8, "member 3: missing", FsckMain.class, "-f", d.get(0), d.get(1), d.get(2));
            try (BlockDevice mounted = BlockDevices.open(members, OpenOptions.READ_WRITE.exclusively())) {
                assertInstanceOf(StreamDiskArray.class, mounted);
                assertTool(8, d.get(0) + " is in use", FsckMain.class, "-y", "-f", d.get(0), d.get(1), d.get(2),
                        d.get(3));
            }
        }
    }

    /** Runs a tool's main in its own JVM, as the bin/ launchers do, and checks its exit code and output. */
    private static void assertTool(int exit, String expected, Class<?> main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        ExternalTool.Result result = ExternalTool.run(cmd, 60);
        assertEquals(exit, result.exitCode(), result.toString());
        if (expected != null) {
            assertTrue(result.output().contains(expected), result.toString());
        }
    }
}
