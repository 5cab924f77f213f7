package io.ext3ns.sda;

import io.ext3ns.sda.testing.LoopDevices;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The array over four real loop devices (attached on sparse files, always detached): same behaviour as files. */
class LoopDeviceArrayTest {
    private static final long MEMBER_SIZE = 48L << 20;
    private static final int BLOCK = 1 << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void needsLoopDevices() {
        Assumptions.assumeTrue(LoopDevices.available(), "needs root and losetup to attach loop devices");
    }

    @Test
    void splitAndRaid0OverFourLoopDevices() throws Exception {
        List<Path> backing = TestMembers.sparseFiles(dir, 4, MEMBER_SIZE);
        try (LoopDevices loops = new LoopDevices()) {
            List<Path> devices = new ArrayList<>();
            for (Path file : backing) {
                devices.add(loops.attach(file));
            }
            try (RawMember m = RawMember.open(devices.get(0), OpenOptions.READ_ONLY)) {
                assertEquals(MEMBER_SIZE, m.size(), "size of " + devices.get(0));
                assertTrue(m.direct(), "loop devices take O_DIRECT");
                assertEquals(MEMBER_SIZE, BlockDeviceSize.sysfsSize(devices.get(0)));
            }
            for (ArrayLayout layout : ArrayLayout.values()) {
                // what one engine writes, the other reads back
                writeReassembleRead(devices, layout, IoEngine.THREADS, IoEngine.URING);
                writeReassembleRead(devices, layout, IoEngine.URING, IoEngine.THREADS);
            }
        }
    }

    private static void writeReassembleRead(List<Path> devices, ArrayLayout layout, IoEngine writer,
                                            IoEngine reader) throws Exception {
        SplittableRandom random = new SplittableRandom(layout.ordinal());
        long[] blocks = new long[12];
        try (StreamDiskArray array = BlockDevices.create(devices, new ArraySpec(layout, BLOCK), writer)) {
            assertEquals(writer, array.engine());
            assertEquals((MEMBER_SIZE - MemberLabel.DATA_OFFSET) * 4, array.size());
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = random.nextLong(array.size() / BLOCK);
                array.write(blocks[i] * BLOCK, TestMembers.pattern(blocks[i], BLOCK));
            }
            array.flush();
        }
        try (BlockDevice array = BlockDevices.open(devices, OpenOptions.READ_ONLY.exclusively().withEngine(reader))) {
            ByteBuffer got = AlignedBuffers.allocate(BLOCK);
            for (long block : blocks) {
                array.read(block * BLOCK, got.clear());
                assertEquals(TestMembers.pattern(block, BLOCK), got.flip(), layout + " block " + block + " written by "
                        + writer + ", read by " + reader);
            }
        }
    }
}
