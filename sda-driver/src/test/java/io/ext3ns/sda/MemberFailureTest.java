package io.ext3ns.sda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A member that starts failing fails only the requests that touch it, names itself, and hangs nothing. */
class MemberFailureTest {
    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    private List<InstrumentedMember> members(ArrayLayout layout) throws Exception {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, 8L << 20);
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(layout, BLOCK))) {
            array.write(0, TestMembers.pattern(3, 16 * BLOCK));
        }
        List<InstrumentedMember> wrapped = new ArrayList<>();
        for (MemberIo m : TestMembers.open(paths, OpenOptions.READ_WRITE)) {
            wrapped.add(new InstrumentedMember(m, 0));
        }
        return wrapped;
    }

    private static MemberIoException failure(CompletableFuture<Void> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(MemberIoException.class, e.getCause());
    }

    @Test
    void raid0FailsOnlyTheBlocksOnTheFailingMember() throws Exception {
        List<InstrumentedMember> members = members(ArrayLayout.RAID0);
        try (StreamDiskArray array = ArrayAssembler.assemble(members, false, StreamDiskArray.DEFAULT_IN_FLIGHT)) {
            members.get(2).failing.set(true);
            MemberIoException e = failure(array.readAsync(6L * BLOCK, AlignedBuffers.allocate(BLOCK)));
            assertEquals(members.get(2).name(), e.member());
            assertEquals(MemberLabel.DATA_OFFSET + BLOCK, e.memberOffset(), "block 6 is block 1 of member 2");
            assertEquals(members.get(2).name() + ": read of 65536 bytes at member offset 1114112 failed: "
                    + "java.io.IOException: injected failure", e.getMessage());
            failure(array.readAsync(0, AlignedBuffers.allocate(8 * BLOCK)));
            failure(array.writeAsync(2L * BLOCK, TestMembers.pattern(9, BLOCK)));

            ByteBuffer healthy = AlignedBuffers.allocate(BLOCK);
            array.readAsync(5L * BLOCK, healthy).get(10, TimeUnit.SECONDS);
            assertEquals(TestMembers.pattern(3, 16 * BLOCK).slice(5 * BLOCK, BLOCK), healthy.flip());

            members.get(2).failing.set(false);
            array.readAsync(6L * BLOCK, AlignedBuffers.allocate(BLOCK)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void splitFailsEveryRequestButRecoversAndNothingHangs() throws Exception {
        List<InstrumentedMember> members = members(ArrayLayout.SPLIT);
        try (StreamDiskArray array = ArrayAssembler.assemble(members, false, StreamDiskArray.DEFAULT_IN_FLIGHT)) {
            members.get(1).failing.set(true);
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                reads.add(array.readAsync((i % 16) * (long) BLOCK, AlignedBuffers.allocate(BLOCK)));
            }
            for (CompletableFuture<Void> read : reads) {
                assertEquals(members.get(1).name(), failure(read).member());
            }
            MemberIoException flush = assertThrows(MemberIoException.class, array::flush);
            assertTrue(flush.getMessage().startsWith(members.get(1).name() + ": fdatasync"), flush.getMessage());

            members.get(1).failing.set(false);
            ByteBuffer all = AlignedBuffers.allocate(16 * BLOCK);
            array.read(0, all);
            assertEquals(TestMembers.pattern(3, 16 * BLOCK), all.flip());
            array.flush();
        }
    }

    @Test
    void aBlockingCallFromACompletionCallbackIsRefusedNotDeadlocked() throws Exception {
        List<InstrumentedMember> slow = new ArrayList<>();
        for (InstrumentedMember m : members(ArrayLayout.SPLIT)) {
            slow.add(new InstrumentedMember(m, 300_000_000)); // the callback is attached long before completion
        }
        try (StreamDiskArray array = ArrayAssembler.assemble(slow, false, StreamDiskArray.DEFAULT_IN_FLIGHT)) {
            CompletableFuture<Void> nested = array.readAsync(0, AlignedBuffers.allocate(BLOCK))
                    .thenRun(() -> {
                        try {
                            array.read(BLOCK, AlignedBuffers.allocate(BLOCK));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
            ExecutionException e = assertThrows(ExecutionException.class, () -> nested.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("blocking array I/O from an array I/O thread"));
        }
    }
}
