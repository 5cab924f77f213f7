package io.ext3ns.sda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.sda.testing.ForwardingMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * memberLatencies(): every read and write part a member completes is timed in that member's histogram, on every
 * engine, before the caller's request completes; the time runs from submission (queueing included); syncs and
 * failed parts are not timed.
 */
class MemberLatencyTest {
    private static final int BLOCK = 64 << 10;
    private static final int BLOCKS = 4;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(IoEngine.class)
    void everyEngineTimesEachPartOnItsMember(IoEngine engine) throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 2, 16L << 20);
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK), engine)) {
            assertEquals(List.of(idle(0), idle(1)), array.memberLatencies(), "a new array has timed nothing");
            array.write(0, TestMembers.pattern(7, BLOCKS * BLOCK));
            array.flush();
            for (MemberLatency m : array.memberLatencies()) {
                // a split block has one part per member: BLOCKS parts each, the syncs not counted
                assertEquals(BLOCKS, m.writes().count(), m.toString());
                assertEquals(0, m.reads().count(), m.toString());
                assertTrue(m.writes().sumNanos() > 0, m.toString());
                assertWellFormed(m.writes());
            }
            array.read(0, AlignedBuffers.allocate(BLOCKS * BLOCK));
            array.read(BLOCK, AlignedBuffers.allocate(BLOCK));
            for (MemberLatency m : array.memberLatencies()) {
                assertEquals(BLOCKS + 1, m.reads().count(), m.toString());
                assertEquals(BLOCKS, m.writes().count(), m.toString());
                assertWellFormed(m.reads());
            }
        }
    }

    @Test
    void aStalledMembersPartsCountTheirWaitInTheQueue() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 2, 16L << 20);
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK), IoEngine.THREADS).close();
        CountDownLatch release = new CountDownLatch(1);
        List<MemberIo> members = new ArrayList<>(TestMembers.open(paths, OpenOptions.READ_ONLY));
        GatedMember gated = new GatedMember(members.get(1));
        members.set(1, gated);
        long stallNanos = TimeUnit.MILLISECONDS.toNanos(60);
        int above = indexOfBound(TimeUnit.MILLISECONDS.toNanos(50));
        try (StreamDiskArray array = ArrayAssembler.assemble(members, true, StreamDiskArray.DEFAULT_IN_FLIGHT)) {
            // four parts on member 1: two held in flight by the gate, two waiting in its queue behind them
            gated.gate = release; // after assembly, which reads the labels
            try {
                CompletableFuture<Void> read = array.readAsync(0, AlignedBuffers.allocate(BLOCKS * BLOCK));
                long submitted = System.nanoTime(); // every part was stamped before readAsync returned
                while (System.nanoTime() - submitted < stallNanos) {
                    LockSupport.parkNanos(stallNanos - (System.nanoTime() - submitted));
                }
                release.countDown();
                read.get(30, TimeUnit.SECONDS);
            } finally {
                release.countDown(); // also on failure: close() lets the held parts finish
            }
            MemberLatency stalled = array.memberLatencies().get(1);
            assertEquals(BLOCKS, stalled.reads().count(), stalled.toString());
            assertEquals(0, stalled.reads().within(above),
                    "every part, queued or in flight, waited the stall (over 50 ms): " + stalled);
            assertTrue(stalled.reads().sumNanos() >= BLOCKS * stallNanos, stalled.toString());
            assertEquals(BLOCKS, array.memberLatencies().get(0).reads().count(), "member 0 timed its own parts");
        }
    }

    @Test
    void failedPartsAreNotTimed() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 2, 16L << 20);
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK), IoEngine.THREADS).close();
        List<MemberIo> members = new ArrayList<>(TestMembers.open(paths, OpenOptions.READ_ONLY));
        InstrumentedMember failing = new InstrumentedMember(members.get(1), 0);
        members.set(1, failing);
        try (StreamDiskArray array = ArrayAssembler.assemble(members, true, StreamDiskArray.DEFAULT_IN_FLIGHT)) {
            failing.failing.set(true);
            assertThrows(MemberIoException.class, () -> array.read(0, AlignedBuffers.allocate(BLOCK)));
            assertEquals(0, array.memberLatencies().get(1).reads().count());
            failing.failing.set(false);
            array.read(0, AlignedBuffers.allocate(BLOCK));
            assertEquals(1, array.memberLatencies().get(1).reads().count());
        }
    }

    private static MemberLatency idle(int member) {
        LatencyHistogram.Snapshot none = new LatencyHistogram().snapshot();
        return new MemberLatency(member, none, none);
    }

    private static void assertWellFormed(LatencyHistogram.Snapshot s) {
        long[] c = s.cumulative();
        for (int i = 1; i < c.length; i++) {
            assertTrue(c[i] >= c[i - 1], "cumulative counts never fall: " + s);
        }
        assertEquals(s.count(), c[c.length - 1]);
    }

    private static int indexOfBound(long nanos) {
        long[] bounds = LatencyHistogram.boundsNanos();
        for (int i = 0; i < bounds.length; i++) {
            if (bounds[i] == nanos) {
                return i;
            }
        }
        throw new AssertionError("no bound of " + nanos + " ns");
    }

    /** A member whose reads, once a gate is set, wait until the test opens it. */
    private static final class GatedMember extends ForwardingMember {
        volatile CountDownLatch gate;

        GatedMember(MemberIo inner) {
            super(inner);
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            CountDownLatch g = gate;
            try {
                if (g != null && !g.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            super.read(offset, dst);
        }
    }
}
