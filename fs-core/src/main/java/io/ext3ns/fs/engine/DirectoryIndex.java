package io.ext3ns.fs.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashMap;

/**
 * Name → entry location for directories that have been looked in, so a lookup in a directory of 100k entries is a
 * hash probe rather than a scan of its blocks. Built on first use from one pass over the directory, kept up to date
 * by the directory code under the directory's write lock, bounded by a total number of entries (Caffeine weigher).
 */
final class DirectoryIndex {
    /** Where an entry lives: file block of the directory and byte offset in it. */
    record Location(long fileBlock, int offset, long ino, int fileType) {
    }

    /** One directory's index, plus where the last insertion found room. */
    static final class Names {
        final HashMap<String, Location> byName = new HashMap<>();
        long spaceHint;
        /**
         * Where in block {@link #spaceHint} the last insertion placed its entry: an entry boundary as long as no entry
         * of the directory was removed since (a removal merges entries, so it resets this to 0). The next insertion
         * walks from here, so filling a 10,000-entry block is not quadratic.
         */
        int spaceOffset;
        /** Entries were removed since the last full scan for room, so earlier blocks may have space. */
        boolean mayHaveHoles;
    }

    private final Cache<Long, Names> cache;

    DirectoryIndex(long maxEntries) {
        this.cache = Caffeine.newBuilder().maximumWeight(Math.max(maxEntries, 1))
                .weigher((Long k, Names v) -> 1 + v.byName.size()).recordStats().build();
    }

    Names get(long dirIno) {
        return cache.getIfPresent(dirIno);
    }

    /** Stores a freshly built index (its weight is taken now; later growth is re-weighed on the next put). */
    void put(long dirIno, Names names) {
        cache.put(dirIno, names);
    }

    /** A hit is a directory whose name index was already built; a miss costs one pass over its blocks. */
    io.ext3ns.fs.api.CacheStats stats() {
        return CaffeineStats.of("directory", cache);
    }

    void forget(long dirIno) {
        cache.invalidate(dirIno);
    }

    /** Key for a raw name: ISO-8859-1 maps every byte to one char, so any byte string round-trips. */
    static String key(byte[] name) {
        return new String(name, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
