package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads at once, as FUSE calls in: writers of their own files in 128 KiB pieces, readers of shared files,
 * and namespace churn (create, rename, unlink) in one shared directory. Everything reads back right and e2fsck
 * finds the volume clean.
 */
class ConcurrencyTest {
    @TempDir
    Path tmp;

    @Test
    void parallelWritersReadersAndNamespaceChurn() throws Exception {
        Path img = Images.mke2fs(tmp.resolve("c.img"), 4096, 256L << 20, Images.PLAIN_FEATURES, null);
        int threads = 8;
        List<byte[]> payloads = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            byte[] p = new byte[3_000_000 + t * 1000];
            new Random(t).nextBytes(p);
            payloads.add(p);
        }
        AtomicInteger churnOk = new AtomicInteger();
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long shared = fs.mkdir(FileSystem.ROOT_INO, "shared", 0755, 0, 0);
            ExecutorService pool = Executors.newFixedThreadPool(threads * 2);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    jobs.add(pool.submit(() -> {
                        long dir = fs.mkdir(FileSystem.ROOT_INO, "w" + id, 0755, 0, 0);
                        long ino = fs.create(dir, "data", 0644, 0, 0);
                        FileHandle h = fs.open(ino, true);
                        byte[] p = payloads.get(id);
                        for (int off = 0; off < p.length; off += 128 << 10) {
                            fs.write(h, off, ByteBuffer.wrap(p, off, Math.min(128 << 10, p.length - off)));
                        }
                        fs.release(h);
                        return null;
                    }));
                    jobs.add(pool.submit(() -> {
                        Random r = new Random(100 + id);
                        for (int i = 0; i < 300; i++) {
                            String a = "n" + r.nextInt(20);
                            String b = "n" + r.nextInt(20);
                            try {
                                switch (r.nextInt(3)) {
                                    case 0 -> fs.create(shared, a, 0644, 0, 0);
                                    case 1 -> fs.rename(shared, a, shared, b);
                                    default -> fs.unlink(shared, a);
                                }
                                churnOk.incrementAndGet();
                            } catch (FsException e) {
                                if (e.errno() != Errno.EEXIST && e.errno() != Errno.ENOENT) {
                                    throw e;
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> j : jobs) {
                    j.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertTrue(churnOk.get() > 100, "namespace operations succeeded: " + churnOk.get());
            ExecutorService readers = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < threads * 2; t++) {
                    int id = t % threads;
                    jobs.add(readers.submit(() -> {
                        long ino = fs.resolve("/w" + id + "/data");
                        byte[] p = payloads.get(id);
                        FileHandle h = fs.open(ino, false);
                        ByteBuffer got = ByteBuffer.allocate(p.length);
                        while (got.hasRemaining()) {
                            int n = fs.read(h, got.position(),
                                    got.slice(got.position(), Math.min(128 << 10, got.remaining())));
                            got.position(got.position() + n);
                        }
                        fs.release(h);
                        assertArrayEquals(p, got.array(), "contents of w" + id);
                        return null;
                    }));
                }
                for (Future<?> j : jobs) {
                    j.get();
                }
            } finally {
                readers.shutdownNow();
            }
            assertEquals(threads + 2, fs.readdir(FileSystem.ROOT_INO).size() - 2 + 0, "root entries");
        }
        Images.assertFsckClean(img);
    }
}
