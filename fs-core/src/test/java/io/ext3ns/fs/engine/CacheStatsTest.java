package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.CacheStats;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cacheStats() counts hits and misses where the engine looks things up, and a plain file has no array queues. */
class CacheStatsTest {
    @TempDir
    Path tmp;

    private static Map<String, CacheStats> stats(Ext3FileSystem fs) {
        List<CacheStats> all = fs.cacheStats();
        return all.stream().collect(Collectors.toMap(CacheStats::name, Function.identity()));
    }

    @Test
    void repeatedLookupsHitAndColdReadsMiss() throws Exception {
        Path img = Images.ours(tmp.resolve("c.img"), 4096, 16 << 20);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long ino = fs.create(FileSystem.ROOT_INO, "f", 0644, 0, 0);
            FileHandle h = fs.open(ino, true);
            fs.write(h, 0, ByteBuffer.allocate(3 * 4096));
            fs.release(h);
            fs.sync();
            fs.dropCaches();
            assertEquals(List.of("inode", "metadata", "directory", "data"),
                    fs.cacheStats().stream().map(CacheStats::name).toList());
            Map<String, CacheStats> before = stats(fs);

            for (int i = 0; i < 10; i++) {
                assertEquals(ino, fs.lookup(FileSystem.ROOT_INO, "f"));
                fs.getattr(ino);
            }
            h = fs.open(ino, false);
            fs.read(h, 0, ByteBuffer.allocate(4096)); // the block was dropped: a data miss
            fs.read(h, 0, ByteBuffer.allocate(4096)); // now cached: a data hit
            fs.release(h);
            Map<String, CacheStats> after = stats(fs);

            assertTrue(after.get("inode").hits() - before.get("inode").hits() >= 10, "inode " + after);
            assertTrue(after.get("directory").hits() - before.get("directory").hits() >= 9, "directory " + after);
            assertTrue(after.get("data").misses() > before.get("data").misses(), "data " + after);
            assertTrue(after.get("data").hits() > before.get("data").hits(), "data " + after);
            assertTrue(after.get("metadata").hits() + after.get("metadata").misses()
                    > before.get("metadata").hits() + before.get("metadata").misses(), "metadata " + after);
            assertTrue(after.get("data").entries() >= 1);
            assertArrayEquals(new int[0], fs.deviceQueueDepths(), "a plain image has no member queues");
            assertEquals(List.of(), fs.deviceRequestLatencies(), "nor member latencies");
        }
    }
}
