package io.ext3ns.sda;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlignedBuffersTest {
    @Test
    void anySizeGetsAnAlignedBufferOfExactlyThatSize() {
        for (int size : new int[]{0, 1, 8, 100, 4095, 4096, 4097, 188 * 1024, 1316 * 1024 + 12}) {
            for (int alignment : new int[]{64, 4096, 1 << 20}) {
                ByteBuffer b = AlignedBuffers.allocate(size, alignment);
                assertEquals(size, b.capacity(), size + " at " + alignment);
                assertEquals(0, b.alignmentOffset(0, alignment), size + " at " + alignment);
            }
        }
        assertTrue(AlignedBuffers.isAligned(AlignedBuffers.allocate(100)));
        assertThrows(IllegalArgumentException.class, () -> AlignedBuffers.allocate(10, 3000));
    }
}
