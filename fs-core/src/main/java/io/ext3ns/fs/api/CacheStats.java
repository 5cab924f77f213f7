package io.ext3ns.fs.api;

/**
 * A snapshot of one engine cache, for metrics: lookups answered from memory ({@code hits}) or that had to go to the
 * device ({@code misses}) since open, and what the cache holds now. Hit rate = hits / (hits + misses).
 *
 * @param name    short, stable name used as a metric label, e.g. "inode", "metadata", "directory", "data"
 * @param hits    lookups found in the cache (cumulative)
 * @param misses  lookups not found (cumulative)
 * @param entries entries held now (approximate, as Caffeine reports it)
 */
public record CacheStats(String name, long hits, long misses, long entries) {
}
