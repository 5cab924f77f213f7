package io.ext3ns.fuse.ops;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PathCacheTest {
    @Test
    void invalidatingADirectoryForgetsItsSubtreeOnly() {
        PathCache cache = new PathCache(100);
        cache.put("/a", 10);
        cache.put("/a/b", 11);
        cache.put("/a/b/c", 12);
        cache.put("/ab", 13);
        cache.put("/a0", 14);
        cache.put("/a.x", 15);
        cache.invalidateTree("/a");
        assertNull(cache.get("/a"));
        assertNull(cache.get("/a/b"));
        assertNull(cache.get("/a/b/c"));
        assertEquals(13L, cache.get("/ab"));
        assertEquals(14L, cache.get("/a0"));
        assertEquals(15L, cache.get("/a.x"));
    }

    @Test
    void staysBounded() {
        PathCache cache = new PathCache(10);
        for (int i = 0; i < 25; i++) {
            cache.put("/f" + i, i);
        }
        assertNull(cache.get("/f0"));
        assertEquals(24L, cache.get("/f24"));
    }
}
