package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.sda.testing.ForwardingDevice;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffered path under FUSE-sized (128 KiB) requests on 1 MiB blocks: writes are gathered into one device write
 * per block, and a sequential reader's blocks arrive in the block cache through read-ahead (the cache's read-ahead
 * threads) rather than one read per block on the reader's thread.
 */
class LegacyPathTest {
    private static final int BS = 1 << 20;
    private static final int REQUEST = 128 << 10;

    @TempDir
    Path tmp;

    /** Counts whole-block data transfers, separating the reader's own reads from read-ahead (other threads). */
    static final class CountingDevice extends ForwardingDevice {
        final AtomicInteger blockWrites = new AtomicInteger();
        final AtomicInteger syncBlockReads = new AtomicInteger();
        final AtomicInteger asyncBlockReads = new AtomicInteger();
        volatile Thread reader;

        CountingDevice(BlockDevice inner) {
            super(inner);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            if (src.remaining() == BS) {
                blockWrites.incrementAndGet();
            }
            super.write(offset, src);
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (dst.remaining() == BS) {
                (Thread.currentThread() == reader ? syncBlockReads : asyncBlockReads).incrementAndGet();
            }
            super.read(offset, dst);
        }
    }

    @Test
    void smallWritesAreGatheredAndSequentialReadsAreReadAhead() throws Exception {
        Path img = Images.ours(tmp.resolve("legacy.img"), BS, 256L << 20);
        int blocks = 24;
        byte[] data = new byte[blocks * BS];
        new Random(3).nextBytes(data);
        long ino;
        CountingDevice dev = new CountingDevice(new FileMember(img, false));
        try (Ext3FileSystem fs = Ext3FileSystem.open(dev, EngineOptions.defaults().withCaches(8L << 20, 64L << 20))) {
            ino = fs.create(FileSystem.ROOT_INO, "rec.ts", 0644, 0, 0);
            int before = dev.blockWrites.get();
            FileHandle h = fs.open(ino, true);
            for (int off = 0; off < data.length; off += REQUEST) {
                fs.write(h, off, ByteBuffer.wrap(data, off, REQUEST));
            }
            fs.release(h);
            assertEquals(blocks, dev.blockWrites.get() - before, "one device write per gathered data block");
        }
        dev = new CountingDevice(new FileMember(img, true));
        try (Ext3FileSystem fs = Ext3FileSystem.open(dev,
                EngineOptions.readOnlyDefaults().withCaches(8L << 20, 64L << 20).withReadAhead(4))) {
            FileHandle h = fs.open(ino, false);
            assertEquals(blocks, fs.dataBlocks(ino).size()); // block map (indirect block) now cached
            dev.reader = Thread.currentThread();
            int asyncBefore = dev.asyncBlockReads.get(); // the mount's own reads
            ByteBuffer got = ByteBuffer.allocate(data.length);
            got.position(fs.read(h, 0, got.slice(0, REQUEST)));
            int syncBefore = dev.syncBlockReads.get();
            while (got.hasRemaining()) {
                long unit = got.position() / BS; // 1 MiB blocks: a cache unit is one block
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!fs.blockCache().isFilled(ino, unit) && System.nanoTime() < deadline) {
                    Thread.sleep(1); // read-ahead asked for it when the reader entered the unit before
                }
                int n = fs.read(h, got.position(), got.slice(got.position(), REQUEST));
                got.position(got.position() + n);
            }
            fs.release(h);
            assertArrayEquals(data, got.array());
            int sync = dev.syncBlockReads.get() - syncBefore;
            assertEquals(blocks - 1, dev.asyncBlockReads.get() - asyncBefore,
                    "read-ahead fetched the blocks after the first");
            assertEquals(0, sync, "synchronous block reads after the first block: the rest came by read-ahead");
        }
    }
}
