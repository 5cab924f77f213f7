package io.ext3ns.sda;

import io.ext3ns.sda.uring.LinuxCalls;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The huge-page arena: whole huge pages, aligned carving, a clear refusal when it is used up or closed. */
class HugePageArenaTest {
    @Test
    void carvesAlignedBuffersUntilItIsUsedUp() throws Exception {
        try (HugePageArena arena = HugePageArena.allocate(3 << 20)) {
            assertEquals(4L << 20, arena.size(), "rounded up to whole 2 MiB pages");
            assertEquals(0, arena.address() % HugePageArena.HUGE_PAGE, "starts on a huge page");
            ByteBuffer a = arena.carve(5000);
            ByteBuffer b = arena.carve(4096, 1 << 20);
            assertEquals(5000, a.capacity());
            assertTrue(AlignedBuffers.isAligned(a) && AlignedBuffers.isAligned(b));
            assertEquals(1L << 20, LinuxCalls.address(b) - arena.address(), "next 1 MiB boundary after 5000 bytes");
            a.putLong(0, 42);
            b.putLong(4088, 43);
            assertEquals(42, a.getLong(0));
            assertEquals(43, b.getLong(4088));
            assertEquals((4L << 20) - (1 << 20) - 4096, arena.remaining());
            IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
                    () -> arena.carve(3 << 20));
            assertTrue(full.getMessage().contains("bytes left"), full.getMessage());
            assertThrows(IllegalArgumentException.class, () -> arena.carve(4096, 1000));
        }
    }

    @Test
    void refusesNonsenseSizesAndCarvingAfterClose() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> HugePageArena.allocate(0));
        HugePageArena arena = HugePageArena.allocate(1);
        arena.close();
        assertThrows(IllegalStateException.class, () -> arena.carve(4096));
        arena.close(); // twice is harmless
    }
}
