package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.FileMember;
import io.ext3ns.sda.testing.ForwardingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full data blocks are written behind the writer: reads and metadata wait for them, the queue is bounded, and a
 * failed write is reported (EIO) on the file's next flush, fsync or write, never lost.
 */
class WriteBehindTest {
    private static final int BS = 128 << 10;

    @TempDir
    Path tmp;

    /** A device whose data writes (beyond the metadata area) can be held back or made to fail. */
    static final class ControlledDevice extends ForwardingDevice {
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile long failFrom = Long.MAX_VALUE;
        final AtomicInteger waiting = new AtomicInteger();

        ControlledDevice(BlockDevice inner) {
            super(inner);
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            if (Thread.currentThread().getName().startsWith("ext3ns-write-behind")) {
                waiting.incrementAndGet();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                } finally {
                    waiting.decrementAndGet();
                }
                if (offset >= failFrom) {
                    throw new IOException("injected write error at " + offset);
                }
            }
            inner.write(offset, src);
        }
    }

    private Ext3FileSystem open(ControlledDevice dev) throws IOException {
        return Ext3FileSystem.open(dev, EngineOptions.defaults().withCaches(8L << 20, 8L << 20));
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void readsWaitForTheBlocksStillBeingWritten() throws Exception {
        Path img = Images.ours(tmp.resolve("wb.img"), BS, 64L << 20);
        ControlledDevice dev = new ControlledDevice(new FileMember(img, false));
        byte[] data = pattern(3 * BS, 7);
        try (Ext3FileSystem fs = open(dev)) {
            long ino = fs.create(FileSystem.ROOT_INO, "f", 0644, 0, 0);
            FileHandle w = fs.open(ino, true);
            dev.gate = new CountDownLatch(1);
            fs.write(w, 0, ByteBuffer.wrap(data)); // three full blocks: queued, held at the device
            assertTrue(waitFor(() -> dev.waiting.get() == 1), "the first block write reached the device");
            FileHandle r = fs.open(ino, false);
            Thread release = new Thread(() -> {
                sleep(200);
                dev.gate.countDown();
            });
            release.start();
            ByteBuffer direct = AlignedBuffers.allocate(3 * BS);
            assertEquals(3 * BS, fs.readDirect(r, 0, direct)); // waits until the writes landed
            byte[] got = new byte[3 * BS];
            direct.flip().get(got);
            assertArrayEquals(data, got);
            ByteBuffer legacy = ByteBuffer.allocate(BS);
            assertEquals(BS, fs.read(r, BS, legacy));
            assertArrayEquals(Arrays.copyOfRange(data, BS, 2 * BS), legacy.array());
            release.join();
            fs.release(r);
            fs.release(w);
        }
        Images.assertOurFsckClean(img);
    }

    @Test
    void theQueueIsBoundedAndTheWriterWaits() throws Exception {
        Path img = Images.ours(tmp.resolve("bounded.img"), BS, 64L << 20);
        ControlledDevice dev = new ControlledDevice(new FileMember(img, false));
        try (Ext3FileSystem fs = open(dev)) {
            long ino = fs.create(FileSystem.ROOT_INO, "f", 0644, 0, 0);
            FileHandle w = fs.open(ino, true);
            dev.gate = new CountDownLatch(1);
            int blocks = WriteBehind.MAX_QUEUED + 3;
            AtomicInteger written = new AtomicInteger();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < blocks; i++) {
                        fs.write(w, (long) i * BS, ByteBuffer.wrap(pattern(BS, i)));
                        written.incrementAndGet();
                    }
                } catch (FsException e) {
                    throw new IllegalStateException(e);
                }
            });
            writer.start();
            assertTrue(waitFor(() -> written.get() == WriteBehind.MAX_QUEUED), "the first blocks were queued");
            sleep(300);
            assertEquals(WriteBehind.MAX_QUEUED, written.get(), "the writer waits while the queue is full");
            dev.gate.countDown();
            writer.join(10_000);
            assertEquals(blocks, written.get());
            fs.fsync(w);
            fs.release(w);
        }
        Images.assertOurFsckClean(img);
    }

    @Test
    void aFailedWriteBehindIsReportedOnceOnFlushFsyncOrTheNextWrite() throws Exception {
        withFailingFirstBlock("fail.img", (fs, dev, w) -> {
            FsException onFlush = assertThrows(FsException.class, () -> fs.flush(w));
            assertEquals(Errno.EIO, onFlush.errno());
            fs.flush(w); // reported once
            fs.write(w, BS, ByteBuffer.wrap(pattern(BS, 2)));
            assertEquals(Errno.EIO, assertThrows(FsException.class, () -> fs.fsync(w)).errno());
            fs.write(w, 2 * BS, ByteBuffer.wrap(pattern(BS, 3)));
            assertEquals(Errno.EIO, assertThrows(FsException.class, () -> fs.flush(w)).errno()); // each failure
        });
    }

    @Test
    void aFailureIsReportedByTheNextWriteWhenNothingElseAskedFirst() throws Exception {
        withFailingFirstBlock("next.img", (fs, dev, w) -> {
            fs.sync(); // drains the queue: the failure is now recorded on the file
            FsException next = assertThrows(FsException.class, () -> fs.write(w, BS, ByteBuffer.wrap(new byte[1])));
            assertEquals(Errno.EIO, next.errno());
            dev.failFrom = Long.MAX_VALUE;
            fs.write(w, 0, ByteBuffer.wrap(pattern(BS, 1)));
        });
    }

    private interface FileWork {
        void run(Ext3FileSystem fs, ControlledDevice dev, FileHandle w) throws Exception;
    }

    /**
     * Runs {@code work} on a new file open for writing whose first block was accepted while data writes fail; then
     * the device heals and the file must fsync and close cleanly.
     */
    private void withFailingFirstBlock(String image, FileWork work) throws Exception {
        Path img = Images.ours(tmp.resolve(image), BS, 64L << 20);
        ControlledDevice dev = new ControlledDevice(new FileMember(img, false));
        try (Ext3FileSystem fs = open(dev)) {
            long ino = fs.create(FileSystem.ROOT_INO, "f", 0644, 0, 0);
            FileHandle w = fs.open(ino, true);
            dev.failFrom = 0;
            fs.write(w, 0, ByteBuffer.wrap(pattern(BS, 1))); // accepted: the failure comes later
            work.run(fs, dev, w);
            dev.failFrom = Long.MAX_VALUE;
            fs.fsync(w);
            fs.release(w);
        }
    }

    private interface Condition {
        boolean holds();
    }

    private static boolean waitFor(Condition c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (c.holds()) {
                return true;
            }
            sleep(5);
        }
        return c.holds();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
