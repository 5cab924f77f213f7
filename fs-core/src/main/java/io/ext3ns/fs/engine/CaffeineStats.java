package io.ext3ns.fs.engine;

import com.github.benmanes.caffeine.cache.Cache;
import io.ext3ns.fs.api.CacheStats;

/** The engine's view of a Caffeine cache built with {@code recordStats()}. */
final class CaffeineStats {
    private CaffeineStats() {
    }

    static CacheStats of(String name, Cache<?, ?> cache) {
        com.github.benmanes.caffeine.cache.stats.CacheStats s = cache.stats();
        return new CacheStats(name, s.hitCount(), s.missCount(), cache.estimatedSize());
    }
}
