package io.ext3ns.sda;

import java.nio.ByteBuffer;

/** Direct buffers whose address is aligned, as O_DIRECT and array part I/O require. */
public final class AlignedBuffers {
    /** Alignment that satisfies every member we open (page size; also the largest logical sector size). */
    public static final int PAGE = 4096;

    private AlignedBuffers() {
    }

    /** A direct buffer of {@code size} bytes whose address is a multiple of {@code alignment} (a power of two). */
    public static ByteBuffer allocate(int size, int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        if (size < 0 || (long) size + 2L * alignment > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("bad aligned buffer size: " + size);
        }
        // alignedSlice also rounds the end down to the alignment, so reserve whole aligned units
        int rounded = (int) (((long) size + alignment - 1) / alignment * alignment);
        return ByteBuffer.allocateDirect(rounded + alignment).alignedSlice(alignment).limit(size).slice();
    }

    /** True when {@code buffer} is direct and its position is page-aligned, as O_DIRECT member I/O needs. */
    public static boolean isAligned(ByteBuffer buffer) {
        return buffer.isDirect() && buffer.alignmentOffset(buffer.position(), PAGE) == 0;
    }

    /** A page-aligned direct buffer. */
    public static ByteBuffer allocate(int size) {
        return allocate(size, PAGE);
    }
}
