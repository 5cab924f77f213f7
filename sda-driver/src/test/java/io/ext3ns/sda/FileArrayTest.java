package io.ext3ns.sda;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An array over four file members: data survives close and reassembly, and sits where the layout says. */
class FileArrayTest {
    private static final int BLOCK = 64 << 10;
    private static final long MEMBER_SIZE = 16L << 20;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(ArrayLayout.class)
    void writesReassemblesAndReadsBack(ArrayLayout layout) throws IOException {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER_SIZE);
        long[][] writes = {{0, 1}, {1, 3}, {9, 8}, {200, 1}, {239, 1}}; // {first block, block count}
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(layout, BLOCK))) {
            assertEquals((MEMBER_SIZE - MemberLabel.DATA_OFFSET) * 4, array.size());
            assertEquals(BLOCK, array.alignment());
            for (long[] w : writes) {
                ByteBuffer data = TestMembers.pattern(w[0], (int) w[1] * BLOCK);
                array.write(w[0] * BLOCK, data);
                assertEquals(data.limit(), data.position(), "write advances the position");
            }
            array.flush();
        }
        try (BlockDevice reopened = BlockDevices.open(paths, OpenOptions.READ_ONLY)) {
            assertInstanceOf(StreamDiskArray.class, reopened);
            for (long[] w : writes) {
                ByteBuffer got = AlignedBuffers.allocate((int) w[1] * BLOCK);
                reopened.read(w[0] * BLOCK, got);
                assertEquals(TestMembers.pattern(w[0], (int) w[1] * BLOCK), got.flip(), "blocks at " + w[0]);
            }
        }
        assertPlacement(layout, paths, 9, TestMembers.pattern(9, BLOCK));
    }

    /** Reads the member files directly: block {@code k}'s bytes are where {@link ArrayGeometry} says. */
    private static void assertPlacement(ArrayLayout layout, List<Path> paths, long k, ByteBuffer block)
            throws IOException {
        long label = MemberLabel.DATA_OFFSET;
        if (layout == ArrayLayout.SPLIT) {
            int part = BLOCK / 4;
            for (int i = 0; i < 4; i++) {
                assertEquals(block.slice(i * part, part), TestMembers.memberBytes(paths.get(i), label + k * part, part),
                        "part " + i);
            }
        } else {
            assertEquals(block, TestMembers.memberBytes(paths.get((int) (k % 4)), label + k / 4 * BLOCK, BLOCK));
        }
    }

    @Test
    void heapAndUnalignedBuffersWorkThroughABounce() throws IOException {
        List<Path> paths = TestMembers.sparseFiles(dir, 2, MEMBER_SIZE);
        try (StreamDiskArray array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK))) {
            ByteBuffer heap = ByteBuffer.allocate(2 * BLOCK).put(TestMembers.pattern(5, 2 * BLOCK)).flip();
            array.write(3L * BLOCK, heap);
            ByteBuffer unaligned = ByteBuffer.allocateDirect(2 * BLOCK + 1).position(1);
            array.read(3L * BLOCK, unaligned);
            assertEquals(2 * BLOCK + 1, unaligned.position());
            assertEquals(TestMembers.pattern(5, 2 * BLOCK), unaligned.position(1));
        }
    }

    @Test
    void refusesMisalignedOutOfRangeAndReadOnlyRequests() throws IOException {
        List<Path> paths = TestMembers.sparseFiles(dir, 4, MEMBER_SIZE);
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.SPLIT, BLOCK)).close();
        try (BlockDevice array = BlockDevices.open(paths, true)) {
            ByteBuffer block = AlignedBuffers.allocate(BLOCK);
            IllegalArgumentException misaligned = assertThrows(IllegalArgumentException.class,
                    () -> array.read(1024, block));
            assertTrue(misaligned.getMessage().contains("must be multiples of the array block size 65536"));
            assertThrows(EOFException.class, () -> array.read(array.size(), block));
            assertThrows(ReadOnlyFileSystemException.class, () -> array.write(0, block));
        }
    }

    @Test
    void usableSizeFollowsTheSmallestMemberAndBufferedMembersWorkToo() throws IOException {
        List<Path> paths = TestMembers.sparseFiles(dir, 3, MEMBER_SIZE);
        try (RandomAccessFile f = new RandomAccessFile(paths.get(1).toFile(), "rw")) {
            f.setLength(MEMBER_SIZE / 2 + 4096);
        }
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.RAID0, BLOCK)).close();
        try (BlockDevice array = BlockDevices.open(paths, OpenOptions.READ_WRITE.buffered())) {
            long perMember = (MEMBER_SIZE / 2 + 4096 - MemberLabel.DATA_OFFSET) / BLOCK * BLOCK;
            assertEquals(perMember * 3, array.size());
            long last = array.size() - BLOCK;
            array.write(last, TestMembers.pattern(1, BLOCK));
            ByteBuffer got = AlignedBuffers.allocate(BLOCK);
            array.read(last, got);
            assertEquals(TestMembers.pattern(1, BLOCK), got.flip());
        }
    }

    @Test
    void oneUnlabelledMemberIsAPlainImageAndOneLabelledMemberAnArray() throws IOException {
        List<Path> paths = TestMembers.sparseFiles(dir, 1, MEMBER_SIZE);
        try (BlockDevice plain = BlockDevices.open(paths, false)) {
            assertInstanceOf(FileMember.class, plain);
            assertEquals(1, plain.alignment());
            assertEquals(MEMBER_SIZE, plain.size());
        }
        BlockDevices.create(paths, new ArraySpec(ArrayLayout.RAID0, BLOCK)).close();
        try (BlockDevice array = BlockDevices.open(paths, false)) {
            assertInstanceOf(StreamDiskArray.class, array);
            assertEquals(MEMBER_SIZE - MemberLabel.DATA_OFFSET, array.size());
        }
    }
}
