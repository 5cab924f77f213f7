package io.ext3ns.fuse.ops;

import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Remembers which inode a path names, so that the path-based FUSE calls do not walk every component each time.
 * Entries are only added for names that exist (no negative entries), so creating a name never invalidates; removing
 * or renaming a name invalidates it and, for directories, everything below it (sorted keys make that a range).
 */
final class PathCache {
    private final ConcurrentSkipListMap<String, Long> inoByPath = new ConcurrentSkipListMap<>();
    private final AtomicInteger insertsSinceClear = new AtomicInteger();
    private final int capacity;

    PathCache(int capacity) {
        this.capacity = capacity;
    }

    Long get(String path) {
        return inoByPath.get(path);
    }

    void put(String path, long ino) {
        // A crude bound: the map's size() is O(n), so count inserts and start over when far past capacity.
        if (insertsSinceClear.incrementAndGet() > capacity) {
            inoByPath.clear();
            insertsSinceClear.set(0);
        }
        inoByPath.put(path, ino);
    }

    /** Forgets {@code path} and every path below it. */
    void invalidateTree(String path) {
        inoByPath.remove(path);
        // '/' + 1 == '0': the keys in ["path/", "path0") are exactly those starting with "path/".
        inoByPath.subMap(path + "/", path + "0").clear();
    }
}
