package io.ext3ns.fs.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one cache of file data, where read(2) and sendfile meet as in Linux's page cache: units of a file's bytes,
 * keyed by (file, unit number), each a pinned unit of the {@link PinnedBufferPool} holding whole file blocks, handed
 * out as {@link UnitRef} leases. The cache holds one lease of its own on every unit it keeps; a reader gets a further
 * lease and copies from it (FUSE) or sends from it (RTP, HTTP). Bounded by the pool: when no unit is free, the least
 * recently used units are let go (a unit some reader still holds returns to the pool only with that reader's lease).
 *
 * <p>Coherence: the file system calls {@link #invalidate} for every unit a write, truncate, hole punch or delete
 * changes, before the change can be read. The unit leaves the cache; a lease taken before keeps the old bytes valid
 * until it is released (a snapshot: unlike the kernel's page cache, which changes the page under a sendfile in
 * flight). A fill racing with an invalidation is dropped, never cached.
 *
 * <p>Fills: the {@link Filler} (the file system: maps the blocks under the file's lock and reads them) runs on the
 * caller's thread for {@link #lease} (which holds the lock) and on the cache's one small read-ahead pool for
 * {@link #leaseAsync} and {@link #prefetch} (which takes it first). Whoever claims a fill first does it, and a pool
 * thread claims only once it holds the lock: a reader holding the lock that finds its unit queued for read-ahead
 * fills it itself, so it never waits for a thread that waits for the lock behind a writer that waits for the
 * reader.
 */
public final class BlockCache implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BlockCache.class);
    /** How the file system fills units: under the lock that keeps the file's block map and size still. */
    public interface Filler {
        /** Runs {@code body} holding that lock for {@code file} (for fills off the reader's thread). */
        void locked(long file, FillStep body) throws IOException;

        /**
         * Reads unit {@code unit} of {@code file} into {@code dst} (its whole capacity, zeros past the end of the
         * file), lock held; returns the bytes of file data in it (more than 0: a unit past the end is an error).
         */
        int fill(long file, long unit, ByteBuffer dst) throws IOException;
    }

    /** A step run under the file's lock. */
    @FunctionalInterface
    public interface FillStep {
        void run() throws IOException;
    }

    private record Key(long file, long unit) {
    }

    /** One cached unit: the cache's own lease and the fill's outcome. */
    private static final class Entry {
        final Key key;
        final UnitRef own;
        final CompletableFuture<Integer> filled = new CompletableFuture<>();
        final AtomicBoolean claimed = new AtomicBoolean();
        /** Set under the cache's lock when the entry leaves the cache (invalidated, evicted, failed). */
        boolean gone;

        Entry(Key key, UnitRef own) {
            this.key = key;
            this.own = own;
        }
    }

    private final PinnedBufferPool pool;
    private final int unitBytes;
    private final ExecutorService io;
    /** Every entry, in access order (least recently used first). */
    private final LinkedHashMap<Key, Entry> lru = new LinkedHashMap<>(64, 0.75f, true);
    /** Entries by file, for range invalidation. */
    private final Map<Long, NavigableMap<Long, Entry>> byFile = new HashMap<>();
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private boolean closed;

    /**
     * @param pool      where units come from (owned: closed with the cache)
     * @param ioThreads threads of the read-ahead pool (started on demand, ended when idle)
     */
    public BlockCache(PinnedBufferPool pool, int ioThreads) {
        this.pool = pool;
        this.unitBytes = pool.unitSize().bytes();
        ThreadPoolExecutor exec = new ThreadPoolExecutor(ioThreads, ioThreads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "ext3ns-read-ahead");
                    t.setDaemon(true);
                    return t;
                });
        exec.allowCoreThreadTimeOut(true);
        this.io = exec;
    }

    public int unitBytes() {
        return unitBytes;
    }

    /** The pool the units come from (its metrics, its arena). */
    public PinnedBufferPool pool() {
        return pool;
    }

    /**
     * A lease on the unit, filled on this thread if it is not cached (the caller holds whatever lock makes the
     * filler's view of the file current). Null when no unit can be had (every unit leased by readers): the caller
     * then reads without the cache.
     */
    public CachedBlock lease(long file, long unit, Filler filler) throws IOException {
        Slot s = find(file, unit, true);
        if (s == null) {
            return null;
        }
        if (s.entry.claimed.compareAndSet(false, true)) {
            runFill(s.entry, filler);
        }
        int length;
        try {
            length = s.entry.filled.join();
        } catch (CompletionException e) {
            s.lease.release();
            throw unwrap(e);
        }
        return new CachedBlock(s.lease, s.lease.buffer(), unit * unitBytes, length);
    }

    /**
     * A lease on the unit once it is in memory; the fill, if needed, runs on the read-ahead pool (the filler takes
     * its own locks there). Fails with {@link PoolExhaustedException} when no unit can be had (retry later).
     */
    public CompletableFuture<CachedBlock> leaseAsync(long file, long unit, Filler filler) {
        Slot s = find(file, unit, true);
        if (s == null) {
            return CompletableFuture.failedFuture(new PoolExhaustedException("every one of the " + pool.metrics()
                    .total() + " cache units is leased by a reader"));
        }
        UnitRef mine = s.lease;
        CompletableFuture<Integer> filled = s.entry.filled;
        if (filled.isDone() && !filled.isCompletedExceptionally()) { // a hit: no thread hop
            return CompletableFuture.completedFuture(new CachedBlock(mine, mine.buffer(), unit * unitBytes,
                    filled.join()));
        }
        startFill(s.entry, filler);
        // Completed off the fill's thread: a fill completes while it holds the file's read lock, and what the
        // caller chains on (closing a handle, say) may need that file's write lock.
        return s.entry.filled.handleAsync((length, e) -> {
            if (e != null) {
                mine.release();
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
            }
            return new CachedBlock(mine, mine.buffer(), unit * unitBytes, length);
        }, java.util.concurrent.ForkJoinPool.commonPool());
    }

    /** Starts filling the unit in the background unless it is cached or on its way (read-ahead; no lookup counted). */
    public void prefetch(long file, long unit, Filler filler) {
        Slot s = find(file, unit, false);
        if (s == null) {
            return; // cached already, or no unit to spare: read-ahead is only a hint
        }
        s.lease.release(); // the cache's own lease keeps the unit
        startFill(s.entry, filler);
    }

    /** True when the unit is cached or being filled. */
    public synchronized boolean contains(long file, long unit) {
        NavigableMap<Long, Entry> units = byFile.get(file);
        return units != null && units.containsKey(unit);
    }

    /** True when the unit is cached and its fill has ended well (tests wait for read-ahead with it). */
    public synchronized boolean isFilled(long file, long unit) {
        NavigableMap<Long, Entry> units = byFile.get(file);
        Entry e = units == null ? null : units.get(unit);
        return e != null && e.filled.isDone() && !e.filled.isCompletedExceptionally();
    }

    /** Units [{@code fromUnit}, {@code toUnit}) of {@code file} leave the cache (use Long.MAX_VALUE for "to the end"). */
    public void invalidate(long file, long fromUnit, long toUnit) {
        java.util.List<Entry> dropped = new java.util.ArrayList<>();
        synchronized (this) {
            NavigableMap<Long, Entry> units = byFile.get(file);
            if (units == null) {
                return;
            }
            NavigableMap<Long, Entry> range = units.subMap(fromUnit, true, toUnit, false);
            for (Entry e : range.values()) {
                lru.remove(e.key);
                e.gone = true;
                dropped.add(e);
            }
            range.clear();
            if (units.isEmpty()) {
                byFile.remove(file);
            }
        }
        dropped.forEach(BlockCache::letGo);
    }

    /** Every unit leaves the cache (drop_caches); units leased by readers come back with their leases. */
    public void clear() {
        java.util.List<Entry> dropped;
        synchronized (this) {
            dropped = new java.util.ArrayList<>(lru.values());
            for (Entry e : dropped) {
                e.gone = true;
            }
            lru.clear();
            byFile.clear();
        }
        dropped.forEach(BlockCache::letGo);
    }

    /** Lookups answered from memory (a unit cached or already being filled). */
    public long hits() {
        return hits.get();
    }

    /** Lookups that had to fill a unit. */
    public long misses() {
        return misses.get();
    }

    /** Bytes of the units the cache holds now. */
    public synchronized long bytes() {
        return (long) lru.size() * unitBytes;
    }

    /**
     * Leases readers took and have not released (the leak report: each carries where it was taken when the pool
     * traces). Leases of units just evicted, not yet let go, may show for a moment.
     */
    public java.util.List<UnitRef> readerLeases() {
        java.util.Set<UnitRef> own = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        synchronized (this) {
            for (Entry e : lru.values()) {
                own.add(e.own);
            }
        }
        return pool.outstanding().stream().filter(r -> !own.contains(r) && !r.released()).toList();
    }

    /** Logs every lease a reader never released, with where it was taken; returns how many. */
    public int reportLeaks() {
        java.util.List<UnitRef> leaks = readerLeases();
        for (UnitRef ref : leaks) {
            LOG.warn("block cache leak: {} was never released", ref, ref.takenAt());
        }
        return leaks.size();
    }

    /** Units held now. */
    public synchronized int units() {
        return lru.size();
    }

    /** Stops the read-ahead pool, lets every unit go and closes the pool (which reports leases never released). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        io.shutdown();
        try {
            io.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clear();
        reportLeaks();
        pool.close();
    }

    // ---- internals ----

    private record Slot(Entry entry, UnitRef lease) {
    }

    /**
     * The entry for the key with a new lease on it: the cached one (a hit), or a new one to fill (a miss). With
     * {@code lookup} false (read-ahead) a cached entry gives null and nothing is counted. Null also when no unit can
     * be had.
     */
    private Slot find(long file, long unit, boolean lookup) {
        if (unit < 0) {
            throw new IllegalArgumentException("negative unit " + unit);
        }
        Key key = new Key(file, unit);
        while (true) {
            java.util.List<Entry> evicted = new java.util.ArrayList<>();
            Slot slot = null;
            boolean retry = false;
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("block cache is closed");
                }
                Entry e = lru.get(key);
                if (e != null) {
                    if (!lookup) {
                        return null;
                    }
                    hits.incrementAndGet();
                    return new Slot(e, e.own.retain());
                }
                UnitRef own = pool.tryAcquire();
                if (own == null) {
                    Entry victim = oldestSettled();
                    if (victim != null) { // let go below; its unit is back unless a reader still leases it
                        remove(victim);
                        evicted.add(victim);
                    }
                }
                if (own != null) {
                    if (lookup) {
                        misses.incrementAndGet();
                    }
                    e = new Entry(key, own);
                    lru.put(key, e);
                    byFile.computeIfAbsent(file, f -> new TreeMap<>()).put(unit, e);
                    slot = new Slot(e, own.retain());
                } else {
                    retry = !evicted.isEmpty();
                }
            }
            evicted.forEach(BlockCache::letGo);
            if (slot != null) {
                return slot;
            }
            if (!retry) {
                return null;
            }
        }
    }

    /** The least recently used entry whose fill has ended (a unit being filled is never evicted). */
    private Entry oldestSettled() {
        Iterator<Entry> it = lru.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.filled.isDone()) {
                return e;
            }
        }
        return null;
    }

    private void remove(Entry e) {
        e.gone = true;
        lru.remove(e.key);
        NavigableMap<Long, Entry> units = byFile.get(e.key.file());
        if (units != null && units.get(e.key.unit()) == e) {
            units.remove(e.key.unit());
            if (units.isEmpty()) {
                byFile.remove(e.key.file());
            }
        }
    }

    /** Releases the cache's own lease of an entry that has left the cache, once its fill has ended. */
    private static void letGo(Entry e) {
        e.filled.whenComplete((v, err) -> e.own.release());
    }

    private void startFill(Entry e, Filler filler) {
        if (e.filled.isDone() || e.claimed.get()) {
            return;
        }
        try {
            io.execute(() -> {
                try {
                    filler.locked(e.key.file(), () -> {
                        if (e.claimed.compareAndSet(false, true)) {
                            runFill(e, filler);
                        }
                    });
                } catch (IOException | RuntimeException ex) {
                    if (e.claimed.compareAndSet(false, true)) {
                        fail(e, ex);
                    }
                }
            });
        } catch (RejectedExecutionException ex) {
            if (e.claimed.compareAndSet(false, true)) {
                fail(e, new IOException("block cache is closing"));
            }
        }
    }

    private void runFill(Entry e, Filler filler) {
        try {
            // an entry invalidated meanwhile still fills: under the lock the map is current, and it is never reused
            int length = filler.fill(e.key.file(), e.key.unit(), e.own.buffer());
            if (length <= 0 || length > unitBytes) {
                throw new IOException("unit " + e.key.unit() + " of file " + e.key.file() + ": " + length
                        + " bytes of data");
            }
            e.filled.complete(length);
        } catch (IOException | RuntimeException ex) {
            fail(e, ex);
        }
    }

    /** A fill failed: the entry leaves the cache (if still in it) and its waiters get the error. */
    private void fail(Entry e, Exception ex) {
        boolean removedHere = false;
        synchronized (this) {
            if (!e.gone) {
                remove(e);
                removedHere = true;
            }
        }
        if (removedHere) {
            e.own.release(); // before the waiters wake: they may count leases (otherwise the remover lets it go)
        }
        e.filled.completeExceptionally(ex);
    }

    private static IOException unwrap(CompletionException e) {
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
            return io;
        }
        if (c instanceof UncheckedIOException u) {
            return u.getCause();
        }
        if (c instanceof RuntimeException r) {
            throw r;
        }
        return new IOException(c);
    }
}
