package io.ext3ns.fs.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ext3ns.fs.metadata.MetadataWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metadata block cache: bitmaps, inode-table blocks, directory blocks and indirect blocks, by block number.
 *
 * <p>Clean blocks live in a Caffeine cache bounded in bytes; a dirty block is pinned in a separate map until it is
 * written back through the {@link MetadataWriter} seam, so eviction never loses an update. Every access runs under a
 * per-block stripe lock, so two callers touching the same block (two inodes in one inode-table block) always see one
 * array and never lose each other's changes. The stripe locks are leaves: nothing else is locked while holding one.
 */
public final class MetadataCache {
    /** Work on a block's bytes; may throw the engine's errors (corruption found while reading it). */
    @FunctionalInterface
    public interface BlockFn<T> {
        T apply(byte[] block) throws IOException;
    }

    private static final int STRIPES = 256;

    private final BlockIo io;
    private final Cache<Long, byte[]> clean;
    private final ConcurrentHashMap<Long, byte[]> dirty = new ConcurrentHashMap<>();
    /** Blocks of a snapshot not yet written through the seam: kept readable, whatever the clean cache evicts. */
    private final ConcurrentHashMap<Long, byte[]> committing = new ConcurrentHashMap<>();
    private final AtomicLong dirtyBlocks = new AtomicLong();
    private final Object[] stripes = new Object[STRIPES];
    private final Object flushLock = new Object();
    private final java.util.concurrent.atomic.LongAdder accesses = new java.util.concurrent.atomic.LongAdder();
    /** Accesses that had to read the device (the rest were answered by a clean or dirty block in memory). */
    private final java.util.concurrent.atomic.LongAdder deviceReads = new java.util.concurrent.atomic.LongAdder();

    public MetadataCache(BlockIo io, long maxBytes) {
        this.io = io;
        int bs = io.blockSize();
        this.clean = Caffeine.newBuilder().maximumWeight(Math.max(maxBytes, bs)).weigher((Long k, byte[] v) -> bs)
                .build();
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /** Reads a block (from memory or the device) and applies {@code fn} to it without marking it dirty. */
    public <T> T read(long blockNr, BlockFn<T> fn) throws IOException {
        synchronized (stripe(blockNr)) {
            return fn.apply(current(blockNr));
        }
    }

    /** Applies {@code fn} to the block's bytes and pins the block dirty until the next write-back. */
    public <T> T modify(long blockNr, BlockFn<T> fn) throws IOException {
        synchronized (stripe(blockNr)) {
            byte[] b = current(blockNr);
            T result = fn.apply(b);
            markDirty(blockNr, b);
            return result;
        }
    }

    /** A block just allocated for metadata: starts as zeros (its old contents are never read) and is dirty. */
    public <T> T create(long blockNr, BlockFn<T> fn) throws IOException {
        synchronized (stripe(blockNr)) {
            clean.invalidate(blockNr);
            byte[] b = new byte[io.blockSize()];
            T result = fn.apply(b);
            markDirty(blockNr, b);
            return result;
        }
    }

    /** A freed block: drop it, dirty or not, so a stale copy can never be written over its next owner's data. */
    public void forget(long blockNr) {
        synchronized (stripe(blockNr)) {
            clean.invalidate(blockNr);
            committing.remove(blockNr);
            if (dirty.remove(blockNr) != null) {
                dirtyBlocks.decrementAndGet();
            }
        }
    }

    public long dirtyBytes() {
        return dirtyBlocks.get() * io.blockSize();
    }

    /** Writes every dirty block as one transaction: {@link #commit} of a {@link #snapshot}, in block order. */
    public void writeBack(MetadataWriter writer) throws IOException {
        commit(writer, snapshot(nr -> 0));
    }

    /** Where a block goes in a transaction's write order: lower ranks first, block order within a rank. */
    @FunctionalInterface
    public interface WriteRank {
        int of(long blockNr);
    }

    /** The dirty blocks at one instant, copied, in block order: one transaction's contents. */
    public static final class Snapshot {
        private final long[] blocks;
        private final byte[][] copies;
        private final byte[][] live;

        private Snapshot(long[] blocks, byte[][] copies, byte[][] live) {
            this.blocks = blocks;
            this.copies = copies;
            this.live = live;
        }

        public int size() {
            return blocks.length;
        }
    }

    /**
     * Unpins every dirty block and copies it, ordered by {@code rank}. A block changed after this is dirty again and
     * goes in the next transaction. Until {@link #commit} has written them, the blocks stay readable from memory
     * (the device still holds their old contents).
     */
    public Snapshot snapshot(WriteRank rank) {
        synchronized (flushLock) {
            List<Long> nrs = new ArrayList<>(dirty.keySet());
            nrs.sort(java.util.Comparator.comparingInt(rank::of).thenComparingLong(Long::longValue));
            long[] blocks = new long[nrs.size()];
            byte[][] copies = new byte[nrs.size()][];
            byte[][] live = new byte[nrs.size()][];
            int n = 0;
            for (long nr : nrs) {
                synchronized (stripe(nr)) {
                    byte[] b = dirty.remove(nr);
                    if (b == null) {
                        continue;
                    }
                    dirtyBlocks.decrementAndGet();
                    clean.put(nr, b);
                    committing.put(nr, b);
                    blocks[n] = nr;
                    live[n] = b;
                    copies[n++] = Arrays.copyOf(b, b.length);
                }
            }
            return new Snapshot(Arrays.copyOf(blocks, n), Arrays.copyOf(copies, n), Arrays.copyOf(live, n));
        }
    }

    /**
     * A failed commit leaves its blocks dirty again (unless changed meanwhile), so a later write-back retries them
     * instead of the cache believing the device holds them.
     */
    private void redirty(Snapshot s) {
        for (int i = 0; i < s.blocks.length; i++) {
            long nr = s.blocks[i];
            synchronized (stripe(nr)) {
                if (!dirty.containsKey(nr)) {
                    byte[] current = clean.getIfPresent(nr);
                    markDirty(nr, current != null ? current : s.copies[i]);
                }
            }
        }
    }

    /** Writes a snapshot through the seam as one transaction (nothing for an empty one). */
    public void commit(MetadataWriter writer, Snapshot s) throws IOException {
        try {
            if (s.blocks.length == 0) {
                return;
            }
            MetadataWriter.Transaction tx = writer.begin();
            for (int i = 0; i < s.blocks.length; i++) {
                tx.write(s.blocks[i], s.copies[i]);
            }
            tx.commit();
        } catch (IOException | RuntimeException e) {
            redirty(s);
            throw e;
        } finally {
            for (int i = 0; i < s.blocks.length; i++) {
                synchronized (stripe(s.blocks[i])) {
                    committing.remove(s.blocks[i], s.live[i]);
                }
            }
        }
    }

    /** Drops every clean block (tests use this to prove data is read back from the device). */
    public void dropClean() {
        clean.invalidateAll();
    }

    /** Blocks looked at so far (tests check that lookups do not scan directories). */
    public long accesses() {
        return accesses.sum();
    }

    /** Hits count dirty blocks too (they live outside the Caffeine cache), so this keeps its own counters. */
    public io.ext3ns.fs.api.CacheStats stats() {
        long misses = deviceReads.sum();
        long all = accesses.sum();
        return new io.ext3ns.fs.api.CacheStats("metadata", Math.max(0, all - misses), misses,
                clean.estimatedSize() + dirty.size());
    }

    private byte[] current(long blockNr) throws IOException {
        accesses.increment();
        byte[] b = dirty.get(blockNr);
        if (b == null) {
            b = committing.get(blockNr);
        }
        if (b != null) {
            return b;
        }
        b = clean.getIfPresent(blockNr);
        if (b == null) {
            deviceReads.increment();
            b = io.readBlock(blockNr);
            clean.put(blockNr, b);
        }
        return b;
    }

    private void markDirty(long blockNr, byte[] b) {
        if (dirty.put(blockNr, b) == null) {
            dirtyBlocks.incrementAndGet();
        }
        clean.invalidate(blockNr);
    }

    private Object stripe(long blockNr) {
        return stripes[(int) (Long.hashCode(blockNr * 0x9E3779B97F4A7C15L) & (STRIPES - 1))];
    }
}
