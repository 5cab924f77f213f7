package io.ext3ns.sda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** 256 concurrent sequential readers: correct bytes, at most two requests per member, no thread per reader. */
class PipelineConcurrencyTest {
    private static final int BLOCK = 64 << 10;
    private static final int READERS = 256;
    private static final int BLOCKS_PER_READER = 4;

    @TempDir
    Path dir;

    @Test
    void manyReadersShareFourMembersTwoRequestsAtATime() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, 80L << 20);
        int total = READERS * BLOCKS_PER_READER;
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK))) {
            array.write(0, TestMembers.pattern(11, total * BLOCK));
        }
        List<InstrumentedMember> members = new ArrayList<>();
        for (MemberIo m : TestMembers.open(paths, OpenOptions.READ_ONLY)) {
            members.add(new InstrumentedMember(m, 200_000));
        }
        ByteBuffer expected = TestMembers.pattern(11, total * BLOCK);
        AtomicInteger mismatches = new AtomicInteger();
        try (StreamDiskArray array = ArrayAssembler.assemble(members, true, StreamDiskArray.DEFAULT_IN_FLIGHT)) {
            List<CompletableFuture<Void>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(readSequentially(array, r * BLOCKS_PER_READER, expected, mismatches));
            }
            CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long ioThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("sda-m")).count();
            assertEquals(4 * StreamDiskArray.DEFAULT_IN_FLIGHT, ioThreads, "I/O threads per member slot, not per reader");
        }
        assertEquals(0, mismatches.get());
        for (InstrumentedMember m : members) {
            assertEquals(StreamDiskArray.DEFAULT_IN_FLIGHT, m.maxInFlight(), m.name());
        }
    }

    @Test
    void concurrentWritesAndReadsOfDistinctBlocksKeepTheirBytes() throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, 24L << 20);
        int blocks = 256;
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.RAID0, BLOCK))) {
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int k = 0; k < blocks; k++) {
                writes.add(array.writeAsync((long) k * BLOCK, TestMembers.pattern(k, BLOCK)));
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            array.flush();
            AtomicInteger mismatches = new AtomicInteger();
            List<CompletableFuture<Void>> mixed = new ArrayList<>();
            for (int k = 0; k < blocks; k++) {
                int block = k;
                if (k % 2 == 0) { // rewrite even blocks while odd ones are read
                    mixed.add(array.writeAsync((long) k * BLOCK, TestMembers.pattern(-k, BLOCK)));
                } else {
                    ByteBuffer got = AlignedBuffers.allocate(BLOCK);
                    mixed.add(array.readAsync((long) k * BLOCK, got).thenRun(() -> {
                        if (!got.flip().equals(TestMembers.pattern(block, BLOCK))) {
                            mismatches.incrementAndGet();
                        }
                    }));
                }
            }
            CompletableFuture.allOf(mixed.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertEquals(0, mismatches.get());
            ByteBuffer all = AlignedBuffers.allocate(blocks * BLOCK);
            array.read(0, all);
            for (int k = 0; k < blocks; k++) {
                assertEquals(TestMembers.pattern(k % 2 == 0 ? -k : k, BLOCK), all.slice(k * BLOCK, BLOCK), "block " + k);
            }
        }
    }

    /** One reader: its blocks one after another, each issued from the previous one's completion. */
    private static CompletableFuture<Void> readSequentially(StreamDiskArray array, int firstBlock, ByteBuffer expected,
                                                            AtomicInteger mismatches) {
        ByteBuffer buffer = AlignedBuffers.allocate(BLOCK);
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int k = firstBlock; k < firstBlock + BLOCKS_PER_READER; k++) {
            int block = k;
            chain = chain.thenCompose(v -> array.readAsync((long) block * BLOCK, buffer.clear())).thenRun(() -> {
                if (!buffer.flip().equals(expected.slice(block * BLOCK, BLOCK))) {
                    mismatches.incrementAndGet();
                }
            });
        }
        return chain;
    }
}
