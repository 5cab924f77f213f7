package io.ext3ns.sda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A plain image sends whole aligned pages through O_DIRECT and everything else through the page cache: what one
 * path wrote, the other reads, in either order, and another process (here: plain file reads) sees it after close.
 */
class FileMemberDirectTest {
    private static final long SIZE = 4L << 20;
    private static final int BLOCK = 64 << 10;

    @TempDir
    Path dir;

    @Test
    void alignedAndUnalignedTransfersSeeEachOther() throws IOException {
        Path image = TestMembers.sparseFiles(dir, 1, SIZE).get(0);
        try (FileMember member = new FileMember(image, false)) {
            assumeTrue(member.directTransfers(), "the temp directory's file system refuses O_DIRECT");
            // A whole block, direct; then a superblock-sized piece inside it, buffered; then the block read direct.
            member.write(BLOCK, TestMembers.pattern(1, BLOCK));
            ByteBuffer small = ByteBuffer.wrap(bytes(1024, (byte) 0x5a));
            member.write(BLOCK + 1024, small);
            ByteBuffer whole = AlignedBuffers.allocate(BLOCK);
            member.read(BLOCK, whole);
            ByteBuffer expected = TestMembers.pattern(1, BLOCK);
            expected.put(1024, bytes(1024, (byte) 0x5a));
            assertEquals(expected, whole.flip());

            // Direct write over a page the buffered path has cached: the buffered read sees the new bytes.
            ByteBuffer cached = ByteBuffer.allocate(512);
            member.read(BLOCK + 100, cached);
            member.write(BLOCK, TestMembers.pattern(2, BLOCK));
            ByteBuffer again = ByteBuffer.allocate(512);
            member.read(BLOCK + 100, again);
            assertEquals(TestMembers.pattern(2, BLOCK).position(100).limit(612).slice(), again.flip());

            // Not page-aligned in the file or in memory: buffered, still correct.
            ByteBuffer odd = AlignedBuffers.allocate(BLOCK + 4096).position(512).limit(512 + BLOCK);
            member.write(3 * BLOCK, odd.duplicate().put(TestMembers.pattern(3, BLOCK)).flip().position(512));
            member.flush();
        }
        byte[] onDisk = Files.readAllBytes(image);
        byte[] block3 = new byte[BLOCK];
        TestMembers.pattern(3, BLOCK).get(block3);
        byte[] got = new byte[BLOCK];
        System.arraycopy(onDisk, 3 * BLOCK, got, 0, BLOCK);
        assertArrayEquals(block3, got);
    }

    @Test
    void readOnlyAndBufferedOptionsKeepOneDescriptor() throws IOException {
        Path image = TestMembers.sparseFiles(dir, 1, SIZE).get(0);
        try (FileMember member = new FileMember(image, OpenOptions.READ_WRITE.buffered())) {
            assertFalse(member.directTransfers());
            member.write(0, TestMembers.pattern(4, BLOCK));
        }
        try (FileMember member = new FileMember(image, true)) {
            ByteBuffer got = AlignedBuffers.allocate(BLOCK);
            member.read(0, got);
            assertEquals(TestMembers.pattern(4, BLOCK), got.flip());
        }
    }

    @Test
    void theLockIsTheBufferedDescriptorsSoASecondOpenIsStillRefused() throws IOException {
        Path image = TestMembers.sparseFiles(dir, 1, SIZE).get(0);
        try (BlockDevice first = BlockDevices.open(List.of(image), OpenOptions.READ_WRITE.exclusively())) {
            assertTrue(first instanceof FileMember);
            assertThrows(MemberInUseException.class,
                    () -> BlockDevices.open(List.of(image), OpenOptions.READ_WRITE.exclusively()).close());
        }
    }

    private static byte[] bytes(int n, byte value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, value);
        return b;
    }
}
