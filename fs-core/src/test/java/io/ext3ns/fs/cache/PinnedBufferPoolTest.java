package io.ext3ns.fs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.sda.HugePageArena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PinnedBufferPoolTest {

    @Test
    void arenaUnitsAreCarvedAlignedRefuseDoubleFreeAndTheArenaGoesWithTheLastUnitAfterClose() throws Exception {
        PinnedBufferPool pool = PinnedBufferPool.inArena(UnitSize.K128, 4, true, LeaseTracing.ACQUIRE);
        HugePageArena arena = pool.arena();
        assertNotNull(arena);
        assertTrue(arena.size() >= 4L * (128 << 10));
        assertEquals(0, arena.remaining() % 4096);
        for (int round = 0; round < 200; round++) { // many streams' worth of leases: none stays out
            UnitRef a = pool.acquire();
            assertEquals(0, a.address() % 4096, "4096-aligned");
            a.buffer().putInt(0, round);
            assertEquals(round, a.buffer().getInt(0));
            a.release();
        }
        assertEquals(0, pool.outstanding().size());
        UnitRef first = pool.acquire();
        first.release();
        UnitRef held = pool.acquire();
        assertThrows(IllegalStateException.class, first::release, "double free");
        pool.close();
        assertEquals(1, pool.outstanding().size(), "the leak is reported, not hidden");
        held.buffer().put(0, (byte) 1); // a lease outlives close: its memory is still mapped
        arena.carve(4096); // so is the arena
        held.release();
        assertThrows(IllegalStateException.class, () -> arena.carve(4096), "unmapped with the last unit");
    }

    @Test
    void plainPoolsHaveNoArena() {
        try (PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K128, 1)) {
            assertNull(pool.arena());
        }
    }

    @Test
    void unitsAreAlignedAndSizedAndAddressesMatchTheMemory() {
        try (PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K128, 2)) {
            UnitRef a = pool.acquire();
            ByteBuffer buf = a.buffer();
            assertEquals(128 << 10, buf.capacity());
            assertTrue(buf.isDirect());
            assertEquals(0, a.address() % 4096, "4096-aligned");
            buf.put(0, (byte) 0x5a);
            assertEquals((byte) 0x5a, a.buffer().get(0), "views share one memory");
            a.release();
        }
    }

    @Test
    void doubleFreeIsRefusedAndDoesNotFreeSomeoneElsesUnit() {
        try (PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K128, 1)) {
            UnitRef first = pool.acquire();
            first.release();
            UnitRef second = pool.acquire(); // the same unit, a new incarnation
            IllegalStateException e = assertThrows(IllegalStateException.class, first::release);
            assertTrue(e.getMessage().contains("double free"), e.getMessage());
            assertThrows(IllegalStateException.class, first::buffer, "use after release");
            assertEquals(1, pool.metrics().inUse(), "the stale release left the new owner's unit alone");
            second.release();
            assertEquals(0, pool.metrics().inUse());
        }
    }

    @Test
    void sharedUnitReturnsWithItsLastLease() {
        try (PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K256, 1)) {
            UnitRef a = pool.acquire();
            UnitRef b = a.retain();
            UnitHandle handle = a.handle();
            a.release();
            assertEquals(1, pool.metrics().inUse());
            UnitRef c = handle.tryRetain();
            assertNotNull(c, "still alive through b");
            b.release();
            c.release();
            assertEquals(0, pool.metrics().inUse());
            assertNull(handle.tryRetain(), "a returned unit cannot be revived through an old handle");
            UnitRef d = pool.acquire();
            assertNull(handle.tryRetain(), "nor once it was handed out again");
            d.release();
        }
    }

    @Test
    void pinsKeepAUnitAliveAfterItsLeaseIsReleasedAndAreUndoneExactlyOnce() {
        try (PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K128, 1)) {
            UnitRef a = pool.acquire();
            a.pin();
            a.pin();
            a.release();
            assertEquals(1, pool.metrics().inUse(), "pinned: still in use after the lease went");
            assertEquals(0, pool.metrics().leases());
            a.pin(); // allowed: the unit is known to be alive through this lease's pins
            a.unpin();
            a.unpin();
            assertEquals(1, pool.metrics().inUse());
            a.unpin();
            assertEquals(0, pool.metrics().inUse(), "back with the last pin");
            assertThrows(IllegalStateException.class, a::unpin, "an unpin without a pin is refused");
            assertThrows(IllegalStateException.class, a::pin, "no pin after release without a pin");
            UnitRef b = pool.acquire();
            assertEquals(1, pool.metrics().inUse(), "the refused unpin left the new owner's unit alone");
            b.release();
        }
    }

    @Test
    void exhaustionIsCountedAndMetricsTrackPeak() {
        try (PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K128, 3)) {
            List<UnitRef> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(pool.acquire());
            }
            assertNull(pool.tryAcquire());
            assertThrows(PoolExhaustedException.class, pool::acquire);
            held.forEach(UnitRef::release);
            PoolMetrics m = pool.metrics();
            assertEquals(3, m.peakInUse());
            assertEquals(2, m.exhausted());
            assertEquals(3, m.free());
            assertEquals(0, m.leases());
        }
    }

    @Test
    void leakIsReportedWithTheStackWhereTheUnitWasTaken() {
        PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K128, 2);
        UnitRef leaked = takeAndForget(pool);
        List<UnitRef> out = pool.outstanding();
        assertEquals(1, out.size());
        assertSame(leaked, out.get(0));
        StackTraceElement[] where = out.get(0).takenAt().getStackTrace();
        boolean found = false;
        for (StackTraceElement e : where) {
            found |= e.getMethodName().equals("takeAndForget");
        }
        assertTrue(found, "the stack names the method that took the unit");
        assertEquals(1, pool.reportLeaks());
        leaked.release();
        assertEquals(0, pool.reportLeaks());
        pool.close();
    }

    private static UnitRef takeAndForget(PinnedBufferPool pool) {
        return pool.acquire();
    }

    @Test
    void badSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> UnitSize.ofBytes(100_000));
        assertEquals(UnitSize.M1, UnitSize.forBlockSize(1 << 20));
        assertEquals(UnitSize.K128, UnitSize.forBlockSize(4096));
        assertThrows(IllegalArgumentException.class, () -> UnitSize.forBlockSize(4 << 20));
        assertThrows(IllegalArgumentException.class, () -> new PinnedBufferPool(UnitSize.K128, 0, false,
                LeaseTracing.NONE));
    }

    @Test
    void memoryIsLockedWhenTheLimitAllows() {
        long limit = MemoryLocker.memlockLimit();
        try (PinnedBufferPool pool = PinnedBufferPool.create(UnitSize.K128, 4)) {
            // units are allocated, and locked, when first handed out
            java.util.List<UnitRef> all = java.util.List.of(pool.acquire(), pool.acquire(), pool.acquire(),
                    pool.acquire());
            all.forEach(UnitRef::release);
            long locked = pool.metrics().lockedBytes();
            // root (CAP_IPC_LOCK) or a limit of at least 512 KiB must succeed; otherwise a warning was logged
            if (limit >= 4L * (128 << 10)) {
                assertEquals(4L * (128 << 10), locked);
            } else {
                assertTrue(locked == 0 || locked == 4L * (128 << 10), "all or nothing: " + locked);
            }
        }
    }
}
