package io.ext3ns.fs.api;

/**
 * The block cache's counters, for /metrics ({@code ext3ns_block_cache_*}, {@code ext3ns_member_read_bytes_total}).
 *
 * @param hits            lookups answered from a cached unit (or one already being filled)
 * @param misses          lookups that had to fill a unit from the members
 * @param bytes           bytes of the units cached now
 * @param memberReadBytes bytes read from the members by every path (cache fills, read-ahead, the fast path,
 *                        metadata, bytes located for sendfile) since open
 */
public record BlockCacheStats(long hits, long misses, long bytes, long memberReadBytes) {
}
