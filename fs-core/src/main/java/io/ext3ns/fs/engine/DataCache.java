package io.ext3ns.fs.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The legacy path's whole-block data cache, keyed by physical block and bounded in bytes, with asynchronous
 * read-ahead through {@link BlockIo#readBlockAsync}. A prefetch only lands if nobody wrote or freed that block while
 * it was in flight (writers and frees cancel its token), so read-ahead never resurrects stale data.
 */
final class DataCache {
    private final BlockIo io;
    private final Cache<Long, byte[]> cache;
    private final ConcurrentHashMap<Long, Object> inflight = new ConcurrentHashMap<>();
    private final boolean enabled;

    DataCache(BlockIo io, long maxBytes) {
        this.io = io;
        int bs = io.blockSize();
        this.enabled = maxBytes >= bs;
        this.cache = Caffeine.newBuilder().maximumWeight(Math.max(maxBytes, 1)).weigher((Long k, byte[] v) -> bs)
                .build();
    }

    /** The block's current contents (shared, read-only for the caller). */
    byte[] get(long phys) throws IOException {
        byte[] b = cache.getIfPresent(phys);
        if (b == null) {
            b = io.readBlock(phys);
            if (enabled) {
                cache.asMap().putIfAbsent(phys, b);
            }
        }
        return b;
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
        if (!enabled || cache.getIfPresent(phys) != null) {
            return;
        }
        Object token = new Object();
        if (inflight.putIfAbsent(phys, token) != null) {
            return;
        }
        io.readBlockAsync(phys).whenComplete((buf, err) -> {
            if (err == null && inflight.remove(phys, token)) {
                byte[] data = new byte[buf.remaining()];
                buf.get(data);
                cache.asMap().putIfAbsent(phys, data);
            } else {
                inflight.remove(phys, token);
            }
        });
    }

    void clear() {
        cache.invalidateAll();
    }
}
