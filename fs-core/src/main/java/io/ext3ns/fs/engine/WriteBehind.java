package io.ext3ns.fs.engine;

import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole data blocks written behind the writer (the page-cache write-back a kernel file system gets for free): a
 * full gathered block is handed to one writer thread and the caller goes on, so a stream of FUSE writes does not wait
 * for the device. Bounded: at most {@link #MAX_QUEUED} blocks queued or being written; a submitter waits beyond that.
 *
 * <p>Coherence and ordering: a read or synchronous write of a block first waits for that block's queued write
 * ({@link #await}); metadata write-back first waits for every queued write ({@link #drain}), so data reaches the
 * device before the metadata that points at it (ext3's ordered mode). One writer thread keeps writes of the same block
 * in submission order. A failed write goes to the submitter's error sink (the open inode, which reports it on its
 * next write, flush, fsync or release) and is logged: never lost silently.
 *
 * <p>Early flush: after every {@link #EARLY_FLUSH_BYTES} written, a second thread asks the device to flush (for a
 * buffered image: fdatasync, which starts the page cache's write-back to the disk) while writing goes on, as the
 * kernel's background write-back does; the fsync that ends a long write then finds little left to do. Only for
 * durability earlier than asked: a failure is logged, and the fsync that needs it fails on its own.
 */
final class WriteBehind {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBehind.class);
    /** Blocks queued or in flight: enough to keep the device busy while the writer fills the next block. */
    static final int MAX_QUEUED = 4;
    private static final long IDLE_THREAD_SECONDS = 5;
    static final long EARLY_FLUSH_BYTES = 64L << 20;

    private final BlockDevice device;
    private final int blockSize;
    private final Consumer<ByteBuffer> recycle;
    private final Semaphore slots = new Semaphore(MAX_QUEUED);
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor writer;
    private final ThreadPoolExecutor flusher;
    private final AtomicLong unflushed = new AtomicLong();
    private final AtomicBoolean flushing = new AtomicBoolean();

    /** {@code recycle} takes each block buffer back once its write has ended. */
    WriteBehind(BlockDevice device, int blockSize, Consumer<ByteBuffer> recycle) {
        this.device = device;
        this.blockSize = blockSize;
        this.recycle = recycle;
        this.writer = singleThread("ext3ns-write-behind " + device.name());
        this.flusher = singleThread("ext3ns-early-flush " + device.name());
    }

    /** One daemon thread, started when first needed and ended when idle (no idle thread per opened volume). */
    private static ThreadPoolExecutor singleThread(String name) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, IDLE_THREAD_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name);
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Queues a write of {@code block} (its remaining bytes: one whole block) at block {@code blockNr}; the buffer
     * belongs to the write-behind from now on. Waits while {@link #MAX_QUEUED} writes are outstanding.
     */
    void submit(long blockNr, ByteBuffer block, Consumer<IOException> onError) throws IOException {
        slots.acquireUninterruptibly();
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.put(blockNr, done);
        try {
            writer.execute(() -> write(blockNr, block, onError, done));
        } catch (RejectedExecutionException e) {
            pending.remove(blockNr, done);
            slots.release();
            throw new IOException("write-behind of block " + blockNr + " refused: the volume is closing", e);
        }
    }

    private void write(long blockNr, ByteBuffer block, Consumer<IOException> onError, CompletableFuture<Void> done) {
        try {
            device.write(blockNr * blockSize, block);
            if (unflushed.addAndGet(blockSize) >= EARLY_FLUSH_BYTES) {
                startEarlyFlush();
            }
        } catch (IOException e) {
            LOG.error("{}: writing data block {} failed: {}", device.name(), blockNr, e.toString());
            onError.accept(e);
        } catch (RuntimeException e) {
            // a bug, not the device: logged as such with its stack trace; the block is still not written
            LOG.error("{}: internal error writing data block {} (a bug, not a device failure)", device.name(),
                    blockNr, e);
            onError.accept(new IOException("write of block " + blockNr + " failed: internal error: " + e, e));
        } finally {
            pending.remove(blockNr, done);
            recycle.accept(block);
            done.complete(null);
            slots.release();
        }
    }

    private void startEarlyFlush() {
        if (!flushing.compareAndSet(false, true)) {
            return; // one at a time: the one running covers what was written before it started
        }
        unflushed.set(0);
        try {
            flusher.execute(() -> {
                try {
                    device.flush();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("{}: early flush failed (the next fsync reports it): {}", device.name(), e.toString());
                } finally {
                    flushing.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            flushing.set(false); // closing
        }
    }

    /** Waits until no write of blocks [first, first+count) is queued or in flight. */
    void await(long first, long count) {
        if (pending.isEmpty()) {
            return;
        }
        for (long b = first; b < first + count; b++) {
            CompletableFuture<Void> f = pending.get(b);
            if (f != null) {
                f.join(); // always completed normally: the outcome goes to the error sink
            }
        }
    }

    /** Waits for every write submitted before this call. */
    void drain() throws IOException {
        if (slots.availablePermits() == MAX_QUEUED) {
            return; // nothing outstanding (permits come back last, after a write has ended)
        }
        Future<?> barrier;
        try {
            barrier = writer.submit(() -> { }); // one writer thread: runs after everything queued before it
        } catch (RejectedExecutionException e) {
            return; // shut down: every write has ended
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    barrier.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    throw new IOException("write-behind barrier failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for every outstanding write, then ends the writer thread. */
    void close() throws IOException {
        try {
            drain();
        } finally {
            writer.shutdown();
            flusher.shutdown();
            awaitQuietly(flusher); // the device is closed next
        }
    }

    private static void awaitQuietly(ThreadPoolExecutor pool) {
        try {
            pool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
