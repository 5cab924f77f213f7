package io.ext3ns.sda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** queueDepths() counts the parts waiting or in flight on each member, and returns to zero when they end. */
class MemberQueueDepthTest {
    private static final int BLOCK = 64 << 10;
    private static final int READS = 8;

    @TempDir
    Path dir;

    @Test
    void depthCountsQueuedAndInFlightPartsPerMember() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 2, 16L << 20);
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK))) {
            array.write(0, TestMembers.pattern(3, READS * BLOCK));
            assertArrayEquals(new int[] {0, 0}, array.queueDepths(), "idle array");
        }
        List<MemberIo> slow = new ArrayList<>();
        for (MemberIo m : TestMembers.open(paths, OpenOptions.READ_ONLY)) {
            // 500 ms per request: the queue builds up, and a loaded machine would have to stall the test for a second
            // between submitting and looking before the bound below could be crossed
            slow.add(new InstrumentedMember(m, 500_000_000L));
        }
        try (StreamDiskArray array = ArrayAssembler.assemble(slow, true, StreamDiskArray.DEFAULT_IN_FLIGHT)) {
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int k = 0; k < READS; k++) {
                reads.add(array.readAsync((long) k * BLOCK, AlignedBuffers.allocate(BLOCK)));
            }
            int[] busy = array.queueDepths();
            assertEquals(2, busy.length);
            for (int depth : busy) {
                // a split block has one part per member; at most two of the eight can have finished so far
                assertTrue(depth > READS - 2 * StreamDiskArray.DEFAULT_IN_FLIGHT && depth <= READS,
                        "depth " + Arrays.toString(busy));
            }
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            // the counter drops just after the part's completion callback ran: allow that instant to pass
            while (Arrays.stream(array.queueDepths()).sum() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertArrayEquals(new int[] {0, 0}, array.queueDepths(), "drained");
        }
    }
}
