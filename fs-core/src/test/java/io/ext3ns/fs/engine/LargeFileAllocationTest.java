package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.inspect.FileFragmentation;
import io.ext3ns.sda.FileMember;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The media allocator: four 2 GiB files written at the same time in 128 KiB requests (as FUSE sends them) on a
 * 1 MiB-block volume end up in a handful of contiguous runs each, not interleaved block by block; a preallocated
 * file is one run. The data is zeros through a device that skips zero writes, so the test moves 8 GiB through the
 * engine without 8 GiB of disk I/O.
 */
class LargeFileAllocationTest {
    private static final int BS = 1 << 20;
    private static final long FILE = 2L << 30;
    private static final int REQUEST = 128 << 10;

    @TempDir
    Path tmp;

    @Test
    void fourConcurrentTwoGibFilesStayInAFewRunsEach() throws Exception {
        Path img = Images.ours(tmp.resolve("media.img"), BS, 10L << 30);
        ZeroSkippingDevice dev = new ZeroSkippingDevice(new FileMember(img, false));
        List<Long> inos = new ArrayList<>();
        try (Ext3FileSystem fs = Ext3FileSystem.open(dev, EngineOptions.defaults().withCaches(16L << 20, 0))) {
            for (int i = 0; i < 4; i++) {
                inos.add(fs.create(FileSystem.ROOT_INO, "rec" + i + ".ts", 0644, 0, 0));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> jobs = new ArrayList<>();
                for (long ino : inos) {
                    jobs.add(pool.submit(() -> {
                        FileHandle h = fs.open(ino, true);
                        ByteBuffer zeros = ByteBuffer.allocate(REQUEST);
                        for (long off = 0; off < FILE; off += REQUEST) {
                            fs.write(h, off, zeros.clear());
                        }
                        fs.release(h);
                        return null;
                    }));
                }
                for (Future<?> j : jobs) {
                    j.get();
                }
            } finally {
                pool.shutdownNow();
            }
            long pre = fs.create(FileSystem.ROOT_INO, "import.mkv", 0644, 0, 0);
            FileHandle h = fs.open(pre, true);
            fs.fallocate(h, 0, 300L << 20);
            fs.release(h);
            for (long ino : inos) {
                assertEquals(FILE, fs.getattr(ino).size());
                FileFragmentation f = FileFragmentation.of(fs.dataBlocks(ino));
                assertEquals(FILE / BS, f.dataBlocks());
                System.out.println("inode " + ino + ": " + f.runCount() + " runs " + f.runs());
                assertTrue(f.runCount() <= 4, "inode " + ino + " is in " + f.runCount() + " runs: " + f.runs());
            }
            FileFragmentation f = FileFragmentation.of(fs.dataBlocks(pre));
            assertEquals(1, f.runCount(), "preallocated file: " + f.runs());
            assertTrue(dev.skippedBytes() >= 4 * FILE, "data went through the zero-skipping device");
        }
        Images.assertOurFsckClean(img);
    }
}
