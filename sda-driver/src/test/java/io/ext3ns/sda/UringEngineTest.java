package io.ext3ns.sda;

import io.ext3ns.sda.uring.LinuxCalls;
import io.ext3ns.sda.uring.UringUnavailableException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The io_uring engine: same bytes as the thread engine, fixed buffers, errors per request, fallback, close. */
class UringEngineTest {
    private static final int BLOCK = 64 << 10;
    private static final long MEMBER = 8L << 20;

    @TempDir
    Path dir;

    @BeforeAll
    static void ioUringWorksHere() throws Exception {
        // CI machines are of the kind this project targets (Linux 6.x, io_uring enabled); if one is not, the
        // engine falls back (tested below) and these tests say so rather than pass vacuously.
        try (var ring = io.ext3ns.sda.uring.IoUring.open(8, 0)) {
            assertTrue(ring.entries() >= 8);
        }
    }

    private StreamDiskArray open(List<Path> paths, OpenOptions options) throws IOException {
        StreamDiskArray array = (StreamDiskArray) BlockDevices.open(paths, options);
        assertEquals(options.engine(), array.engine());
        return array;
    }

    @ParameterizedTest
    @CsvSource({"SPLIT, URING", "RAID0, URING", "SPLIT, URING_MEMBER", "RAID0, URING_MEMBER"})
    void randomWritesAndReadsGiveTheSameBytesAsTheThreadEngine(ArrayLayout layout, IoEngine engine)
            throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        BlockDevices.create(paths, new ArraySpec(layout, BLOCK), IoEngine.THREADS).close();
        SplittableRandom random = new SplittableRandom(layout.ordinal());
        int blocks;
        ByteBuffer model;
        try (StreamDiskArray uring = open(paths, OpenOptions.READ_WRITE.withEngine(engine))) {
            blocks = (int) (uring.size() / BLOCK);
            model = ByteBuffer.allocate(blocks * BLOCK);
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int first = random.nextInt(blocks - 4);
                int count = 1 + random.nextInt(4);
                ByteBuffer data = TestMembers.pattern(random.nextLong(), count * BLOCK);
                model.put(first * BLOCK, data.duplicate(), 0, count * BLOCK);
                // one at a time: overlapping writes in flight together have no defined order
                uring.writeAsync((long) first * BLOCK, data).get(10, TimeUnit.SECONDS);
            }
            uring.flush();
            for (int i = 0; i < 100; i++) {
                int first = random.nextInt(blocks - 4);
                int count = 1 + random.nextInt(4);
                ByteBuffer got = AlignedBuffers.allocate(count * BLOCK);
                uring.read((long) first * BLOCK, got);
                assertEquals(model.slice(first * BLOCK, count * BLOCK), got.flip(), "uring read at block " + first);
            }
        }
        try (StreamDiskArray threads = open(paths, OpenOptions.READ_ONLY.withEngine(IoEngine.THREADS))) {
            assertHolds(threads, model.clear()); // the thread engine reads what the uring engine wrote
        }
    }

    @ParameterizedTest
    @EnumSource(value = IoEngine.class, names = {"URING", "URING_MEMBER"})
    void buffersFromARegisteredArenaGoAsFixedTransfers(IoEngine engine) throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        ByteBuffer data = TestMembers.pattern(5, 32 * BLOCK);
        try (HugePageArena arena = HugePageArena.allocate(4L << 20)) {
            try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK),
                    engine)) {
                assertEquals(engine, array.engine());
                assertTrue(array.registerBuffers(arena));
                ByteBuffer out = arena.carve(32 * BLOCK);
                out.put(data.duplicate()).clear();
                array.write(0, out);
                ByteBuffer in = arena.carve(32 * BLOCK);
                array.read(0, in);
                assertEquals(data, in.flip());
                assertEquals(2 * 32 * 4, array.uringTransferCounts()[0], "every part of both went fixed");
                array.read(0, AlignedBuffers.allocate(BLOCK));
                assertEquals(4, array.uringTransferCounts()[1], "an ordinary buffer goes as plain READ");
                assertThrows(IllegalStateException.class, arena::close, "registered with an open array");
            }
            assertTrue(arena.hugePageBytes() >= 0);
        }
        try (StreamDiskArray threads = open(paths, OpenOptions.READ_ONLY.withEngine(IoEngine.THREADS))) {
            assertHolds(threads, data);
        }
    }

    @Test
    void anArenaClosedWhileRegisteredIsUnmappedWhenTheArrayCloses() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 2, MEMBER);
        HugePageArena arena = HugePageArena.allocate(2L << 20);
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK),
                IoEngine.URING)) {
            assertTrue(array.registerBuffers(arena));
            ByteBuffer in = arena.carve(BLOCK);
            arena.closeWhenUnregistered();
            array.read(0, in); // still mapped: the array holds it
            assertEquals(2, array.uringTransferCounts()[0]);
        }
        assertThrows(IllegalStateException.class, () -> arena.carve(BLOCK), "unmapped by the array's close");
    }

    @Test
    void kernelErrorsFailOnlyTheirOwnRequestsAndNameMemberAndOffset() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.RAID0, BLOCK), IoEngine.THREADS).close();
        // Members opened read-only under a read-write array: the kernel refuses the writes (EBADF) in the ring.
        List<MemberIo> members = TestMembers.open(paths, OpenOptions.READ_ONLY.withEngine(IoEngine.URING));
        try (StreamDiskArray array = ArrayAssembler.assemble(members, false, 2, IoEngine.URING)) {
            assertEquals(IoEngine.URING, array.engine());
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int k = 0; k < 32; k++) {
                writes.add(array.writeAsync((long) k * BLOCK, TestMembers.pattern(k, BLOCK)));
                reads.add(array.readAsync((long) k * BLOCK, AlignedBuffers.allocate(BLOCK)));
            }
            for (int k = 0; k < 32; k++) {
                MemberIoException e = failure(writes.get(k));
                assertEquals(paths.get(k % 4).toString(), e.member());
                assertEquals(MemberLabel.DATA_OFFSET + (long) (k / 4) * BLOCK, e.memberOffset());
                assertTrue(e.getMessage().contains("Bad file descriptor"), e.getMessage());
                reads.get(k).get(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void anInjectedMemberFailureBesideRingMembersFailsOnlyItsRequestsAndNothingHangs() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        ByteBuffer data = TestMembers.pattern(13, 16 * BLOCK);
        format(paths, ArrayLayout.RAID0, data);
        List<MemberIo> members = TestMembers.open(paths, OpenOptions.READ_WRITE.withEngine(IoEngine.URING));
        // A wrapper offers no native descriptor, so member 2 is served by threads, the others by the ring.
        InstrumentedMember failing = new InstrumentedMember(members.get(2), 0);
        members.set(2, failing);
        try (StreamDiskArray array = ArrayAssembler.assemble(members, false, 2, IoEngine.URING)) {
            assertEquals(IoEngine.URING, array.engine());
            failing.failing.set(true);
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int k = 0; k < 16; k++) {
                reads.add(array.readAsync((long) k * BLOCK, AlignedBuffers.allocate(BLOCK)));
            }
            for (int k = 0; k < 16; k++) {
                if (k % 4 == 2) {
                    MemberIoException e = failure(reads.get(k));
                    assertEquals(paths.get(2).toString(), e.member());
                    assertEquals(MemberLabel.DATA_OFFSET + (long) (k / 4) * BLOCK, e.memberOffset());
                } else {
                    reads.get(k).get(10, TimeUnit.SECONDS);
                }
            }
            MemberIoException flush = assertThrows(MemberIoException.class, array::flush);
            assertEquals(paths.get(2).toString(), flush.member());
            failing.failing.set(false);
            assertHolds(array, data);
            array.flush();
            assertEquals(12 + 12, array.uringTransferCounts()[1], "the three healthy members' parts went by the ring");
        }
    }

    @Test
    void aMemberThatShrinksFailsItsReadsWithAnEndOfMemberErrorAndTheOthersGoOn() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.RAID0, BLOCK), IoEngine.THREADS).close();
        try (StreamDiskArray array = open(paths, OpenOptions.READ_ONLY.withEngine(IoEngine.URING))) {
            try (RandomAccessFile m2 = new RandomAccessFile(paths.get(2).toFile(), "rw")) {
                m2.setLength(MemberLabel.DATA_OFFSET + 4L * BLOCK);
            }
            long lost = 4L * 4 * BLOCK + 2L * BLOCK; // block 18: member 2, its block 4, now past the end
            MemberIoException e = failure(array.readAsync(lost, AlignedBuffers.allocate(BLOCK)));
            assertEquals(paths.get(2).toString(), e.member());
            assertEquals(MemberLabel.DATA_OFFSET + 4L * BLOCK, e.memberOffset());
            assertInstanceOf(EOFException.class, e.getCause());
            array.readAsync(lost + BLOCK, AlignedBuffers.allocate(BLOCK)).get(10, TimeUnit.SECONDS);
            array.readAsync(2L * BLOCK, AlignedBuffers.allocate(BLOCK)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void whenTheRingCannotBeCreatedTheArrayUsesThreadsAndSaysSoOnce() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK), IoEngine.THREADS).close();
        List<MemberIo> members = TestMembers.open(paths, OpenOptions.READ_WRITE.withEngine(IoEngine.URING));
        PrintStream stderr = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        System.setErr(new PrintStream(said, true));
        StreamDiskArray array;
        try {
            array = ArrayAssembler.assemble(members, false, 2, IoEngine.URING, entries -> {
                throw new UringUnavailableException("io_uring_setup: " + LinuxCalls.describe(LinuxCalls.EPERM),
                        LinuxCalls.EPERM);
            });
        } finally {
            System.setErr(stderr);
        }
        try (array) {
            assertEquals(IoEngine.THREADS, array.engine());
            String[] lines = said.toString().strip().split("\n");
            assertEquals(1, lines.length, said.toString());
            assertTrue(lines[0].matches(".*WARN.* split\\[.*\\]: io_uring unavailable \\(io_uring_setup: "
                    + "Operation not permitted \\(errno 1\\)\\); using the thread engine"), lines[0]);
            ByteBuffer data = TestMembers.pattern(8, 4 * BLOCK);
            array.write(0, data.duplicate());
            assertHolds(array, data);
        }
    }

    @Test
    void thousandsOfConcurrentRequestsKeepTwoPerMemberInTheRing() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        ByteBuffer data = TestMembers.pattern(21, 64 * BLOCK);
        format(paths, ArrayLayout.SPLIT, data);
        try (StreamDiskArray array = open(paths, OpenOptions.READ_ONLY.withEngine(IoEngine.URING))) {
            AtomicInteger mismatches = new AtomicInteger();
            AtomicInteger deepest = new AtomicInteger();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            List<Thread> submitters = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                List<CompletableFuture<Void>> mine = new ArrayList<>();
                submitters.add(new Thread(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int i = 0; i < 500; i++) {
                        int k = random.nextInt(64);
                        ByteBuffer got = AlignedBuffers.allocate(BLOCK);
                        mine.add(array.readAsync((long) k * BLOCK, got).thenRun(() -> {
                            if (!got.flip().equals(data.slice(k * BLOCK, BLOCK))) {
                                mismatches.incrementAndGet();
                            }
                        }));
                        for (int d : array.queueDepths()) {
                            deepest.accumulateAndGet(d, Math::max);
                        }
                    }
                    synchronized (all) {
                        all.addAll(mine);
                    }
                }));
            }
            submitters.forEach(Thread::start);
            for (Thread t : submitters) {
                t.join();
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(4000, all.size());
            assertEquals(0, mismatches.get());
            assertTrue(deepest.get() > 2, "requests queued behind the two in flight: " + deepest.get());
            assertEquals(4000 * 4, array.uringTransferCounts()[1]);
        }
    }

    @Test
    void closeWithRequestsInFlightLetsThemFinishThenRefusesNewOnes() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER);
        ByteBuffer data = TestMembers.pattern(34, 64 * BLOCK);
        format(paths, ArrayLayout.RAID0, data);
        StreamDiskArray array = open(paths, OpenOptions.READ_ONLY.withEngine(IoEngine.URING));
        List<CompletableFuture<Void>> reads = new ArrayList<>();
        List<ByteBuffer> buffers = new ArrayList<>();
        for (int i = 0; i < 512; i++) {
            ByteBuffer got = AlignedBuffers.allocate(BLOCK);
            buffers.add(got);
            reads.add(array.readAsync((long) (i % 64) * BLOCK, got));
        }
        array.close();
        for (int i = 0; i < reads.size(); i++) {
            assertTrue(reads.get(i).isDone(), "close returns after every queued request finished");
            reads.get(i).get();
            assertEquals(data.slice((i % 64) * BLOCK, BLOCK), buffers.get(i).flip());
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> array.readAsync(0, AlignedBuffers.allocate(BLOCK)).get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().endsWith("the array is closed"), e.getCause().getMessage());
        long ringThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sda-ring-") && t.isAlive()).count();
        assertEquals(0, ringThreads, "the ring thread has stopped");
    }

    /** A new array over {@code paths} holding {@code data} from block 0, written by the thread engine. */
    private static void format(List<Path> paths, ArrayLayout layout, ByteBuffer data) throws IOException {
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(layout, BLOCK), IoEngine.THREADS)) {
            array.write(0, data.duplicate());
        }
    }

    /** The array's first {@code data.remaining()} bytes equal {@code data}. */
    private static void assertHolds(BlockDevice array, ByteBuffer data) throws IOException {
        ByteBuffer all = AlignedBuffers.allocate(data.remaining());
        array.read(0, all);
        assertEquals(data, all.flip());
    }

    private static MemberIoException failure(CompletableFuture<Void> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(MemberIoException.class, e.getCause());
    }
}
