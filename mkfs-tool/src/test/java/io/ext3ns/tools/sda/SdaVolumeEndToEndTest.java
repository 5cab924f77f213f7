package io.ext3ns.tools.sda;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.OpenOptions;
import io.ext3ns.sda.StreamDiskArray;
import io.ext3ns.sda.testing.LoopDevices;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole stack on a Stream Disk Array: build the array, format it with 1 MiB blocks, write files through the
 * engine, reassemble, read everything back through the legacy and the fast path, and check the volume clean.
 */
class SdaVolumeEndToEndTest {
    private static final int BLOCK = 1 << 20;
    private static final long MEMBER_SIZE = 40L << 20;
    private static final int MEMBERS = 4;

    @TempDir
    Path dir;

    @Test
    void splitArrayOfFourFiles() throws Exception {
        roundTrip(backingFiles(), ArrayLayout.SPLIT);
    }

    @Test
    void raid0ArrayOfFourFiles() throws Exception {
        roundTrip(backingFiles(), ArrayLayout.RAID0);
    }

    @Test
    void splitArrayOfFourLoopDevices() throws Exception {
        Assumptions.assumeTrue(LoopDevices.available(), "needs root and losetup to attach loop devices");
        try (LoopDevices loops = new LoopDevices()) {
            List<Path> devices = new ArrayList<>();
            for (Path file : backingFiles()) {
                devices.add(loops.attach(file));
            }
            roundTrip(devices, ArrayLayout.SPLIT);
        }
    }

    private List<Path> backingFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            Path p = dir.resolve("m" + i);
            try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
                f.setLength(MEMBER_SIZE);
            }
            files.add(p);
        }
        return files;
    }

    private static void roundTrip(List<Path> members, ArrayLayout layout) throws Exception {
        try (StreamDiskArray array = BlockDevices.create(members, new ArraySpec(layout, BLOCK))) {
            VolumeFormatter.format(array, FormatSpec.builder().blockSize(BLOCK).build());
            array.flush();
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(layout.ordinal());
        for (int size : new int[]{0, 1, BLOCK - 1, BLOCK, 3 * BLOCK + 12345, 17 * BLOCK + 7}) {
            byte[] content = new byte[size];
            random.nextBytes(content);
            files.put("clip-" + size + ".ts", content);
        }
        try (FileSystem fs = Ext3FileSystem.open(BlockDevices.open(members, OpenOptions.READ_WRITE.exclusively()),
                EngineOptions.defaults())) {
            long media = fs.mkdir(FileSystem.ROOT_INO, "media", 0755, 0, 0);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                long ino = fs.create(media, f.getKey(), 0644, 0, 0);
                FileHandle h = fs.open(ino, true);
                fs.write(h, 0, ByteBuffer.wrap(f.getValue()));
                fs.release(h);
            }
            fs.sync();
        }
        try (BlockDevice device = BlockDevices.open(members, OpenOptions.READ_ONLY.exclusively());
             FileSystem fs = Ext3FileSystem.open(device, EngineOptions.readOnlyDefaults())) {
            assertInstanceOf(StreamDiskArray.class, device);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                long ino = fs.resolve("/media/" + f.getKey());
                assertEquals(f.getValue().length, fs.getattr(ino).size());
                FileHandle h = fs.open(ino, false);
                assertEquals(ByteBuffer.wrap(f.getValue()), legacyRead(fs, h, f.getValue().length), f.getKey());
                assertEquals(ByteBuffer.wrap(f.getValue()), fastRead(fs, h, f.getValue().length), f.getKey());
                assertRandomFastReads(fs, h, f.getValue(), random);
                fs.release(h);
            }
        }
        try (BlockDevice device = BlockDevices.open(members, OpenOptions.READ_ONLY)) {
            CheckReport report = VolumeChecker.check(device, CheckOptions.READ_ONLY_FORCED);
            assertTrue(report.clean(), report.toString());
        }
    }

    /** Fast-path reads of 1–3 blocks at random block offsets return the file's bytes there. */
    private static void assertRandomFastReads(FileSystem fs, FileHandle h, byte[] content, SplittableRandom random)
            throws IOException {
        int fileBlocks = (content.length + BLOCK - 1) / BLOCK;
        for (int i = 0; i < 8 && fileBlocks > 0; i++) {
            long offset = (long) random.nextInt(fileBlocks) * BLOCK;
            ByteBuffer got = AlignedBuffers.allocate((1 + random.nextInt(3)) * BLOCK);
            int n = fs.readDirect(h, offset, got);
            int expected = (int) Math.min(got.capacity(), content.length - offset);
            assertEquals(expected, n, "bytes placed at " + offset);
            assertEquals(ByteBuffer.wrap(content, (int) offset, n), got.flip().limit(n), "fast read at " + offset);
        }
    }

    private static ByteBuffer legacyRead(FileSystem fs, FileHandle h, int size) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(size);
        while (out.hasRemaining()) {
            int n = fs.read(h, out.position(), out.duplicate().limit(Math.min(out.limit(), out.position() + 131072)));
            assertTrue(n > 0, "legacy read stopped at " + out.position() + " of " + size);
            out.position(out.position() + n);
        }
        return out.flip();
    }

    /** The streamer's path: whole blocks straight from the members into an aligned buffer. */
    private static ByteBuffer fastRead(FileSystem fs, FileHandle h, int size) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(size);
        ByteBuffer blocks = AlignedBuffers.allocate(2 * BLOCK);
        for (long offset = 0; offset < size; offset += blocks.capacity()) {
            int n = fs.readDirect(h, offset, blocks.clear());
            out.put(blocks.flip().limit(n));
        }
        return out.flip();
    }
}
