package io.ext3ns.fs.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The block cache on its own, with a filler whose "file" is a counter: leases and their bytes, sharing, eviction
 * under the bound, units still leased surviving eviction and invalidation with their old bytes, fills racing an
 * invalidation, failed fills, and the leak report.
 */
class BlockCacheTest {
    private static final int UNIT = UnitSize.K128.bytes();

    /** Unit u of file f holds the byte (f * 31 + u + version) everywhere; counts fills. */
    static final class CountingFiller implements BlockCache.Filler {
        final AtomicInteger fills = new AtomicInteger();
        volatile int version;
        volatile CountDownLatch gate; // when set, fills wait for it (a slow device)
        final ConcurrentHashMap<Long, Boolean> failing = new ConcurrentHashMap<>();

        @Override
        public void locked(long file, BlockCache.FillStep body) throws IOException {
            body.run();
        }

        @Override
        public int fill(long file, long unit, ByteBuffer dst) throws IOException {
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (failing.containsKey(unit)) {
                throw new IOException("bad unit " + unit);
            }
            fills.incrementAndGet();
            byte b = expected(file, unit, version);
            for (int i = 0; i < dst.capacity(); i++) {
                dst.put(i, b);
            }
            return dst.capacity();
        }

        static byte expected(long file, long unit, int version) {
            return (byte) (file * 31 + unit + version);
        }
    }

    private static BlockCache cache(int units) {
        return new BlockCache(new PinnedBufferPool(UnitSize.K128, units, false, LeaseTracing.ACQUIRE), 1);
    }

    @Test
    void aLeaseHoldsTheUnitsBytesAndASecondReaderSharesIt() throws Exception {
        CountingFiller f = new CountingFiller();
        try (BlockCache c = cache(4)) {
            CachedBlock a = c.lease(7, 3, f);
            CachedBlock b = c.lease(7, 3, f);
            assertEquals(1, f.fills.get(), "the second reader shares the unit read once");
            assertEquals(1, c.misses());
            assertEquals(1, c.hits());
            assertEquals(3L * UNIT, a.fileOffset());
            assertEquals(UNIT, a.length());
            assertEquals(CountingFiller.expected(7, 3, 0), a.view().get(UNIT - 1));
            assertEquals(a.ref().address(), b.ref().address(), "one unit of memory");
            assertEquals(2, c.readerLeases().size());
            a.ref().release();
            b.ref().release();
            assertEquals(List.of(), c.readerLeases());
            assertEquals(UNIT, c.bytes(), "the unit stays cached with no reader");
            assertThrows(IllegalStateException.class, a.ref()::release, "a lease is released once");
        }
    }

    @Test
    void theBoundEvictsTheLeastRecentlyUsedUnitNotOneAReaderHolds() throws Exception {
        CountingFiller f = new CountingFiller();
        try (BlockCache c = cache(3)) {
            CachedBlock held = c.lease(1, 0, f); // held throughout
            c.lease(1, 1, f).ref().release();
            c.lease(1, 2, f).ref().release();
            c.lease(1, 1, f).ref().release(); // 1 is now more recent than 2
            assertEquals(3, c.units());
            c.lease(1, 3, f).ref().release(); // evicts the least recently used: 0, still held, cannot come back
            assertTrue(c.units() <= 3, "bounded: " + c.units());
            assertTrue(c.isFilled(1, 3));
            assertTrue(c.isFilled(1, 1), "recently used unit kept");
            assertEquals(CountingFiller.expected(1, 0, 0), held.view().get(0), "an evicted unit's lease stays valid");
            assertEquals(3, c.pool().metrics().total());
            assertTrue(c.pool().metrics().inUse() <= 3);
            held.ref().release();
            // every unit leased by readers: no unit to be had, lease says so and read-ahead gives up
            CachedBlock x = c.lease(2, 0, f);
            CachedBlock y = c.lease(2, 1, f);
            CachedBlock z = c.lease(2, 2, f);
            assertNull(c.lease(2, 3, f), "no unit free: the caller reads without the cache");
            c.prefetch(2, 3, f);
            assertFalse(c.contains(2, 3));
            CompletionException e = assertThrows(CompletionException.class, () -> c.leaseAsync(2, 3, f).join());
            assertTrue(e.getCause() instanceof PoolExhaustedException);
            x.ref().release();
            y.ref().release();
            z.ref().release();
            assertNotNull(c.lease(2, 3, f), "a unit is free again");
        }
    }

    @Test
    void invalidationGivesNewBytesToNewLeasesAndKeepsOldLeasesValid() throws Exception {
        CountingFiller f = new CountingFiller();
        try (BlockCache c = cache(8)) {
            CachedBlock old = c.lease(5, 0, f);
            c.lease(5, 1, f).ref().release();
            c.lease(5, 2, f).ref().release();
            c.lease(6, 1, f).ref().release();
            f.version = 1; // the file changed on the device
            c.invalidate(5, 1, Long.MAX_VALUE); // a truncate from unit 1
            assertTrue(c.isFilled(5, 0));
            assertFalse(c.contains(5, 1));
            assertFalse(c.contains(5, 2));
            assertTrue(c.isFilled(6, 1), "other files untouched");
            CachedBlock fresh = c.lease(5, 1, f);
            assertEquals(CountingFiller.expected(5, 1, 1), fresh.view().get(17));
            fresh.ref().release();
            c.invalidate(5, 0, 1); // a write into unit 0
            CachedBlock now = c.lease(5, 0, f);
            assertEquals(CountingFiller.expected(5, 0, 1), now.view().get(0));
            assertEquals(CountingFiller.expected(5, 0, 0), old.view().get(0), "the old lease keeps the old bytes");
            assertTrue(old.ref().address() != now.ref().address());
            old.ref().release();
            now.ref().release();
            c.clear();
            assertEquals(0, c.units());
            assertEquals(List.of(), c.readerLeases());
        }
    }

    @Test
    void readAheadFillsInTheBackgroundAndAReaderJoinsIt() throws Exception {
        CountingFiller f = new CountingFiller();
        try (BlockCache c = cache(8)) {
            f.gate = new CountDownLatch(1);
            c.prefetch(3, 4, f);
            assertTrue(c.contains(3, 4));
            assertFalse(c.isFilled(3, 4));
            CompletableFuture<CachedBlock> joined = c.leaseAsync(3, 4, f);
            assertFalse(joined.isDone(), "waits for the fill in flight");
            f.gate.countDown();
            CachedBlock b = joined.get(30, TimeUnit.SECONDS);
            assertEquals(CountingFiller.expected(3, 4, 0), b.view().get(5));
            assertEquals(1, f.fills.get(), "one fill for the read-ahead and the reader");
            assertEquals(1, c.hits());
            assertEquals(0, c.misses(), "read-ahead is no lookup");
            b.ref().release();
        }
    }

    @Test
    void aFillInvalidatedWhileInFlightIsNeverCached() throws Exception {
        CountingFiller f = new CountingFiller();
        try (BlockCache c = cache(8)) {
            f.gate = new CountDownLatch(1);
            CompletableFuture<CachedBlock> reading = c.leaseAsync(9, 0, f);
            c.invalidate(9, 0, 1);
            assertFalse(c.contains(9, 0));
            f.gate.countDown();
            reading.get(30, TimeUnit.SECONDS).ref().release();
            f.gate = null;
            f.version = 2;
            CachedBlock b = c.lease(9, 0, f);
            assertEquals(CountingFiller.expected(9, 0, 2), b.view().get(0), "read again, not the dropped fill");
            b.ref().release();
            assertEquals(List.of(), c.readerLeases());
        }
    }

    @Test
    void aFailedFillReportsTheErrorAndCachesNothing() throws Exception {
        CountingFiller f = new CountingFiller();
        try (BlockCache c = cache(2)) {
            f.failing.put(1L, true);
            IOException e = assertThrows(IOException.class, () -> c.lease(4, 1, f));
            assertEquals("bad unit 1", e.getMessage());
            assertFalse(c.contains(4, 1));
            CompletionException ce = assertThrows(CompletionException.class, () -> c.leaseAsync(4, 1, f).join());
            assertEquals("bad unit 1", ce.getCause().getMessage());
            assertEquals(List.of(), c.readerLeases());
            f.failing.clear();
            c.lease(4, 1, f).ref().release();
            c.lease(4, 0, f).ref().release();
            assertEquals(2, c.units(), "failed fills gave their units back");
        }
    }

    @Test
    void theLeakReportNamesLeasesNeverReleasedWithWhereTheyWereTaken() throws Exception {
        CountingFiller f = new CountingFiller();
        BlockCache c = cache(4);
        CachedBlock leaked = c.lease(1, 0, f);
        c.lease(1, 1, f).ref().release();
        List<UnitRef> leaks = c.readerLeases();
        assertEquals(1, leaks.size());
        assertSame(leaked.ref(), leaks.get(0));
        assertTrue(java.util.Arrays.stream(leaks.get(0).takenAt().getStackTrace())
                .anyMatch(e -> e.getMethodName().contains("theLeakReport")), "the stack names where it was taken");
        assertEquals(1, c.reportLeaks());
        c.close();
        assertEquals(1, c.pool().metrics().leases(), "the leaked lease is still outstanding after close");
        assertTrue(c.pool().outstanding().contains(leaked.ref()));
        leaked.ref().release();
        assertEquals(0, c.pool().metrics().inUse());
    }
}
