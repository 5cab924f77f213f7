package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.BlockCacheStats;
import io.ext3ns.fs.api.FallocateMode;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.cache.CachedBlock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's block cache against writes, truncates, hole punches and deletes: every read after a change sees the
 * change (buffered reads and leases), a lease taken before keeps the bytes it had, a second read of a file costs no
 * member reads, and the read-ahead window grows to its bound for a sequential reader and resets for a random one.
 */
class BlockCacheCoherenceTest {
    private static final int BS = 4096;
    private static final int UNIT = 128 << 10; // UnitSize.forBlockSize(4096)

    @TempDir
    Path tmp;

    private static byte[] read(FileSystem fs, FileHandle h, long offset, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        int got = fs.read(h, offset, b);
        return Arrays.copyOf(b.array(), got);
    }

    private static byte[] leased(FileSystem fs, FileHandle h, long unit) throws Exception {
        CachedBlock b = fs.leaseAsync(h, unit).get(30, TimeUnit.SECONDS);
        try {
            byte[] out = new byte[b.length()];
            b.view().get(0, out);
            return out;
        } finally {
            b.ref().release();
        }
    }

    @Test
    void everyChangeIsSeenByTheNextReadAndOldLeasesKeepTheirBytes() throws Exception {
        Path img = Images.ours(tmp.resolve("coh.img"), BS, 64L << 20);
        byte[] data = new byte[3 * UNIT + 5000];
        new Random(17).nextBytes(data);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long ino = fs.create(FileSystem.ROOT_INO, "f", 0644, 0, 0);
            FileHandle w = fs.open(ino, true);
            FileHandle r = fs.open(ino, false);
            fs.write(w, 0, ByteBuffer.wrap(data));
            assertArrayEquals(data, read(fs, r, 0, data.length), "gathered and written blocks read back");
            CachedBlock before = fs.leaseAsync(r, 1).get(30, TimeUnit.SECONDS);
            byte[] original = Arrays.copyOfRange(data, UNIT, 2 * UNIT);

            // a write inside a cached unit (still gathered, not yet on the device)
            byte[] patch = new byte[300];
            Arrays.fill(patch, (byte) 7);
            fs.write(w, UNIT + 100, ByteBuffer.wrap(patch));
            System.arraycopy(patch, 0, data, UNIT + 100, patch.length);
            assertArrayEquals(data, read(fs, r, 0, data.length));
            assertArrayEquals(Arrays.copyOfRange(data, UNIT, 2 * UNIT), leased(fs, r, 1));
            byte[] old = new byte[UNIT];
            before.view().get(0, old);
            assertArrayEquals(original, old, "the lease taken before keeps the old bytes");
            before.ref().release();
            fs.fsync(w);
            assertArrayEquals(data, read(fs, r, 0, data.length), "after the flush");

            // truncate into the middle of unit 2, then grow again: zeros past the old size
            fs.truncate(ino, 2 * UNIT + 10);
            assertEquals(2 * UNIT + 10, read(fs, r, 0, data.length).length);
            fs.truncate(ino, data.length);
            byte[] grown = read(fs, r, 0, data.length);
            assertArrayEquals(Arrays.copyOf(data, 2 * UNIT + 10), Arrays.copyOf(grown, 2 * UNIT + 10));
            assertTrue(allZero(grown, 2 * UNIT + 10, data.length), "zeros past the old size");
            Arrays.fill(data, 2 * UNIT + 10, data.length, (byte) 0);

            // punch a hole across units 0 and 1
            fs.fallocate(w, FallocateMode.PUNCH_HOLE | FallocateMode.KEEP_SIZE, UNIT - 3 * BS, 5 * BS);
            Arrays.fill(data, UNIT - 3 * BS, UNIT + 2 * BS, (byte) 0);
            assertArrayEquals(data, read(fs, r, 0, data.length), "the hole reads as zeros");
            assertArrayEquals(Arrays.copyOfRange(data, 0, UNIT), leased(fs, r, 0));

            // zero range inside unit 2
            fs.fallocate(w, FallocateMode.ZERO_RANGE, 2 * UNIT, 10);
            Arrays.fill(data, 2 * UNIT, 2 * UNIT + 10, (byte) 0);
            assertArrayEquals(data, read(fs, r, 0, data.length));
            fs.release(w);
            fs.release(r);

            // delete the file: a new file with the same inode number must not see its units
            fs.unlink(FileSystem.ROOT_INO, "f");
            long again = fs.create(FileSystem.ROOT_INO, "g", 0644, 0, 0);
            FileHandle g = fs.open(again, true);
            fs.write(g, 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertArrayEquals(new byte[] {1, 2, 3}, read(fs, g, 0, 100));
            fs.release(g);
        }
    }

    @Test
    void aFileReadTwiceIsReadFromTheMembersOnceAndReadAheadGrowsToItsBound() throws Exception {
        Path img = Images.ours(tmp.resolve("ra.img"), BS, 64L << 20);
        byte[] data = new byte[24 * UNIT];
        new Random(5).nextBytes(data);
        long ino;
        try (Ext3FileSystem fs = Images.open(img, false)) {
            ino = fs.create(FileSystem.ROOT_INO, "big", 0644, 0, 0);
            FileHandle w = fs.open(ino, true);
            fs.write(w, 0, ByteBuffer.wrap(data));
            fs.release(w);
        }
        // read-ahead bound: 64 blocks of 4 KiB = 2 units
        try (Ext3FileSystem fs = Ext3FileSystem.open(new io.ext3ns.sda.FileMember(img, true),
                EngineOptions.readOnlyDefaults().withReadAhead(64))) {
            BlockCacheStats start = fs.blockCacheStats();
            FileHandle h = fs.open(ino, false);
            OpenFile of = (OpenFile) h;
            int request = 32 << 10;
            for (int off = 0; off < data.length; off += request) {
                assertArrayEquals(Arrays.copyOfRange(data, off, off + request), read(fs, h, off, request));
            }
            assertEquals(2, of.readAhead.window(), "grown to the bound");
            BlockCacheStats first = fs.blockCacheStats();
            long firstRead = first.memberReadBytes() - start.memberReadBytes();
            assertTrue(firstRead >= data.length && firstRead <= data.length + 64 * BS,
                    "first read: " + firstRead + " bytes from the members");
            FileHandle h2 = fs.open(ino, false);
            for (int off = 0; off < data.length; off += request) {
                assertArrayEquals(Arrays.copyOfRange(data, off, off + request), read(fs, h2, off, request));
            }
            BlockCacheStats second = fs.blockCacheStats();
            assertEquals(first.memberReadBytes(), second.memberReadBytes(), "second read all from the cache");
            assertTrue(second.hits() > first.hits());
            assertEquals(24L * UNIT, second.bytes());
            // a random reader: no window
            read(fs, h2, 5 * UNIT, 100);
            assertEquals(0, ((OpenFile) h2).readAhead.window());
            fs.release(h);
            fs.release(h2);
        }
    }

    @Test
    void theWindowDoublesPerUnitUpToTheBoundAndEachUnitIsAskedOnce() {
        ReadAhead ra = new ReadAhead(8);
        assertArrayEquals(new long[] {1, 1}, ra.after(0, 100, 1000, 99));
        assertNull(ra.after(100, 200, 1000, 99), "same unit: nothing new");
        assertArrayEquals(new long[] {2, 3}, ra.after(200, 1500, 1000, 99)); // unit 1: window 2
        assertArrayEquals(new long[] {4, 6}, ra.after(1500, 2500, 1000, 99)); // unit 2: window 4
        assertArrayEquals(new long[] {7, 11}, ra.after(2500, 3500, 1000, 99)); // unit 3: window 8
        assertArrayEquals(new long[] {12, 12}, ra.after(3500, 4500, 1000, 99)); // bound 8
        assertEquals(8, ra.window());
        assertNull(ra.after(50_000, 50_100, 1000, 99), "a jump resets");
        assertEquals(0, ra.window());
        assertNull(ra.after(50_100, 50_200, 1000, 99), "after a jump: not yet");
        assertNull(ra.after(50_200, 51_100, 1000, 99), "a second unit: not yet (a short range)");
        assertNull(ra.after(51_100, 52_100, 1000, 99));
        assertArrayEquals(new long[] {54, 54}, ra.after(52_100, 53_100, 1000, 99), "the third unit in order");
        assertArrayEquals(new long[] {99, 99}, new ReadAhead(8).after(0, 98_500, 1000, 99), "not past the end");
        assertNull(new ReadAhead(0).after(0, 100, 1000, 99), "0 disables");
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
