package io.ext3ns.stream.source;

import io.ext3ns.stream.pool.PinnedBufferPool;
import io.ext3ns.stream.pool.PoolExhaustedException;
import io.ext3ns.stream.pool.UnitHandle;
import io.ext3ns.stream.pool.UnitRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared reads: the pinned units of a file that some session holds, found by (content key, unit number). A second
 * viewer of a title near the same position gets a new lease on the unit already read (or being read) instead of
 * reading it again. The cache itself holds no lease: a unit leaves it when its last viewer lets go, so caching never
 * pins memory nobody uses. Reads run on the given executor, never on the caller's (scheduler) thread.
 */
public final class SharedUnitCache {
    private final PinnedBufferPool pool;
    private final Executor io;
    private final Map<Key, Entry> entries = new HashMap<>();
    /** Which key each pool unit currently caches, so a reused unit's old entry is dropped at once. */
    private final Key[] keyOfUnit;
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong sharedHits = new AtomicLong();

    private record Key(Object content, long unitNumber) {
    }

    private record Entry(UnitHandle handle, CompletableFuture<Integer> loaded) {
    }

    public SharedUnitCache(PinnedBufferPool pool, Executor io) {
        this.pool = pool;
        this.io = io;
        this.keyOfUnit = new Key[pool.metrics().total()];
    }

    public int unitBytes() {
        return pool.unitSize().bytes();
    }

    /**
     * A lease on the unit holding bytes [{@code unitNumber * unitBytes()}, ...) of {@code source}, completing when
     * the bytes are in memory. Fails with {@link PoolExhaustedException} when no unit is free (retry later) and with
     * the read's error if it fails. The caller owns the returned lease; if it abandons the future, it must release the
     * lease when the future completes.
     */
    public CompletableFuture<LoadedUnit> acquire(MediaSource source, long unitNumber) {
        int unitBytes = unitBytes();
        if (unitBytes % source.directAlignment() != 0) {
            throw new IllegalArgumentException("unit size " + unitBytes + " is not a multiple of the block size "
                    + source.directAlignment() + " of " + source.name());
        }
        long fileOffset = unitNumber * unitBytes;
        if (unitNumber < 0 || fileOffset >= source.size()) {
            throw new IllegalArgumentException("unit " + unitNumber + " is outside " + source.name());
        }
        Key key = new Key(source.key(), unitNumber);
        UnitRef ref;
        Entry entry;
        synchronized (this) {
            entry = entries.get(key);
            ref = entry == null ? null : entry.handle().tryRetain();
            if (ref != null) {
                sharedHits.incrementAndGet();
            } else {
                ref = pool.tryAcquire();
                if (ref == null) {
                    return CompletableFuture.failedFuture(new PoolExhaustedException(
                            "no free pinned unit to read " + source.name()));
                }
                Key previous = keyOfUnit[ref.unitIndex()];
                if (previous != null) {
                    entries.remove(previous);
                }
                entry = new Entry(ref.handle(), new CompletableFuture<>());
                entries.put(key, entry);
                keyOfUnit[ref.unitIndex()] = key;
                startRead(source, fileOffset, ref, entry, key);
            }
        }
        UnitRef mine = ref;
        return entry.loaded().handle((length, error) -> {
            if (error != null) {
                mine.release();
                throw error instanceof CompletionException ce ? ce : new CompletionException(error);
            }
            return new LoadedUnit(mine, mine.buffer(), fileOffset, length);
        });
    }

    private void startRead(MediaSource source, long fileOffset, UnitRef ref, Entry entry, Key key) {
        reads.incrementAndGet();
        int align = source.directAlignment();
        long wanted = Math.min(unitBytes(), source.size() - fileOffset);
        int length = (int) ((wanted + align - 1) / align * align);
        ByteBuffer dst = ref.buffer().limit(length);
        io.execute(() -> {
            try {
                int n = source.readDirect(fileOffset, dst);
                if (n != wanted) { // a short unit would shift every payload after it
                    throw new IOException("short read: " + n + " of " + wanted + " bytes");
                }
                entry.loaded().complete(n);
            } catch (IOException | RuntimeException e) {
                forget(key, entry);
                entry.loaded().completeExceptionally(e instanceof IOException io
                        ? new UncheckedIOException("reading " + source.name() + " at " + fileOffset, io) : e);
            }
        });
    }

    private synchronized void forget(Key key, Entry entry) {
        entries.remove(key, entry);
    }

    /** Units read from a source so far. */
    public long reads() {
        return reads.get();
    }

    /** Acquisitions served by a unit another session had already read or was reading. */
    public long sharedHits() {
        return sharedHits.get();
    }
}
