package io.ext3ns.fs.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The legacy path's whole-block data cache, keyed by physical block and bounded in bytes, with asynchronous
 * read-ahead through {@link BlockIo#readBlockAsync}. A reader that needs a block already on its way waits for that
 * read instead of issuing another (it holds its inode's lock, so the block cannot change or be freed meanwhile).
 * A prefetch only lands in the cache if nobody wrote or freed the block while it was in flight (both cancel it), so
 * read-ahead never resurrects stale data.
 */
final class DataCache {
    private final BlockIo io;
    private final Cache<Long, byte[]> cache;
    private final ConcurrentHashMap<Long, CompletableFuture<byte[]>> inflight = new ConcurrentHashMap<>();
    private final boolean enabled;

    DataCache(BlockIo io, long maxBytes) {
        this.io = io;
        int bs = io.blockSize();
        this.enabled = maxBytes >= bs;
        this.cache = Caffeine.newBuilder().maximumWeight(Math.max(maxBytes, 1)).weigher((Long k, byte[] v) -> bs)
                .recordStats().build();
    }

    /** The block's current contents (shared, read-only for the caller). */
    byte[] get(long phys) throws IOException {
        byte[] b = cache.getIfPresent(phys);
        if (b == null) {
            b = awaitPrefetch(phys);
        }
        if (b == null) {
            b = io.readBlock(phys);
            if (enabled) {
                cache.asMap().putIfAbsent(phys, b);
            }
        }
        return b;
    }

    private byte[] awaitPrefetch(long phys) {
        CompletableFuture<byte[]> f = inflight.get(phys);
        if (f == null) {
            return null;
        }
        try {
            return f.join();
        } catch (CompletionException | CancellationException e) {
            return null; // the prefetch failed: read it ourselves and get the error first-hand
        }
    }

    /** New contents just written to the device; the array is handed over and must not change afterwards. */
    void written(long phys, byte[] data) {
        inflight.remove(phys);
        if (enabled) {
            cache.put(phys, data);
        }
    }

    /** The block was freed (or is about to be rewritten outside this cache): drop it and cancel its prefetch. */
    void invalidate(long phys) {
        inflight.remove(phys);
        cache.invalidate(phys);
    }

    /** Starts reading a block into the cache in the background unless it is cached or already on its way. */
    void prefetch(long phys) {
        if (!enabled || cache.asMap().containsKey(phys)) { // not getIfPresent: a read-ahead probe is no lookup
            return;
        }
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (inflight.putIfAbsent(phys, f) != null) {
            return;
        }
        io.readBlockAsync(phys).whenComplete((data, err) -> {
            if (err != null) {
                inflight.remove(phys, f);
                f.completeExceptionally(err);
                return;
            }
            if (inflight.remove(phys, f)) {
                cache.asMap().putIfAbsent(phys, data);
            }
            f.complete(data);
        });
    }

    /** Reads by the legacy path found in memory or not (a miss may still have been met by a prefetch in flight). */
    io.ext3ns.fs.api.CacheStats stats() {
        return CaffeineStats.of("data", cache);
    }

    void clear() {
        cache.invalidateAll();
    }
}
