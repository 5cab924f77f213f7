package io.ext3ns.stream.index;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.stream.content.ContentFile;
import io.ext3ns.stream.content.ContentResolver;
import io.ext3ns.stream.testing.TestStore;
import io.ext3ns.stream.testkit.TestAsset;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index is built once per file version and rebuilt when the file changes. */
class PcrIndexCacheTest {
    @Test
    void rebuildsWhenTheFileGrows(@TempDir Path dir) throws Exception {
        byte[] ts = Files.readAllBytes(TestAsset.ts());
        int half = ts.length / 2 / 188 * 188;
        ExecutorService scanner = Executors.newSingleThreadExecutor();
        try (TestStore store = TestStore.create(dir, 16L << 20)) {
            long ino = store.addFile("/grow.ts", Arrays.copyOf(ts, half));
            ContentResolver resolver = new ContentResolver(store.fs());
            PcrIndexCache cache = new PcrIndexCache(store.fs(), scanner, 16);
            ContentFile first = resolver.resolve("/grow.ts");
            PcrIndex before = cache.get(first).get();
            assertSame(before, cache.get(resolver.resolve("/grow.ts")).get(), "unchanged file: same index");
            assertEquals(half, before.fileSize());

            FileHandle h = store.fs().open(ino, true);
            try {
                store.fs().write(h, half, ByteBuffer.wrap(ts, half, ts.length - half));
            } finally {
                store.fs().release(h);
            }
            ContentFile grown = resolver.resolve("/grow.ts");
            PcrIndex after = cache.get(grown).get();
            assertEquals(ts.length, after.fileSize());
            assertTrue(after.durationSeconds() > before.durationSeconds() + 3,
                    before.durationSeconds() + " s -> " + after.durationSeconds() + " s");
        } finally {
            scanner.shutdownNow();
        }
    }
}
