package io.ext3ns.bench.sda;

import io.ext3ns.sda.BlockDevice;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * R concurrent sequential readers over a device, as in the paper's Fig. 8: reader r starts r/R of the way into the
 * device and reads block after block, wrapping around at the end, keeping {@code depth} blocks requested (2: a
 * double-buffered streamer, the paper's "read requests for the first and second blocks"). Readers are completion
 * chains, not threads: each read is issued from the completion of the one before it in its lane.
 */
final class SequentialReaders {
    /** What one timed run delivered. */
    record Result(long bytes, double seconds, double cpuSeconds, double ioThreadCpuSeconds) {
        double megabytesPerSecond() {
            return bytes / seconds / 1e6;
        }

        double cpuSecondsPerGigabyte() {
            return cpuSeconds / (bytes / 1e9);
        }

        /** CPU of the array's member I/O threads alone (the driver's share of the process CPU). */
        double ioThreadCpuSecondsPerGigabyte() {
            return ioThreadCpuSeconds / (bytes / 1e9);
        }
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final BlockDevice device;
    private final int blockSize;
    /** Reader buffers, kept across runs so that no run pays for allocating and first-touching them. */
    private final ReaderBuffers buffers;

    /** Readers with ordinary aligned buffers. */
    SequentialReaders(BlockDevice device, int blockSize) {
        this(device, blockSize, new ReaderBuffers(null));
    }

    /** Readers whose lane i reads into {@code buffers.get(i, blockSize)}. */
    SequentialReaders(BlockDevice device, int blockSize, ReaderBuffers buffers) {
        this.device = device;
        this.blockSize = blockSize;
        this.buffers = buffers;
    }

    /**
     * Runs {@code readers} readers, each with {@code depth} requests outstanding, for {@code seconds}; bytes count
     * reads completed within the run.
     */
    Result run(int readers, int depth, double seconds) throws Exception {
        long blocks = device.size() / blockSize;
        Run run = new Run();
        List<Lane> lanes = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            AtomicLong cursor = new AtomicLong();
            for (int lane = 0; lane < depth; lane++) {
                lanes.add(new Lane(run, r * blocks / readers, blocks, cursor, buffer(lanes.size())));
            }
        }
        long cpuStart = OS.getProcessCpuTime();
        long ioCpuStart = ioThreadCpuNanos();
        long start = System.nanoTime();
        run.deadline = start + (long) (seconds * 1e9);
        lanes.forEach(Lane::next);
        CompletableFuture.allOf(lanes.stream().map(l -> l.finished).toArray(CompletableFuture[]::new)).join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        double cpu = (OS.getProcessCpuTime() - cpuStart) / 1e9;
        double ioCpu = (ioThreadCpuNanos() - ioCpuStart) / 1e9;
        if (run.failure.get() != null) {
            throw new IllegalStateException("a reader failed", run.failure.get());
        }
        return new Result(run.bytes.get(), elapsed, cpu, ioCpu);
    }

    /** Summed CPU time of the array's I/O threads (named "sda-m…" and "sda-ring-…" by the driver). */
    private static long ioThreadCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("sda-")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private ByteBuffer buffer(int index) {
        return buffers.get(index, blockSize);
    }

    /** What the lanes of one run share: its end and its tallies. */
    private static final class Run {
        volatile long deadline;
        final AtomicLong bytes = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
    }

    /** One buffer of a sequential reader: takes the reader's next block each time its read completes. */
    private final class Lane {
        private final Run run;
        private final long firstBlock;
        private final long blocks;
        private final AtomicLong cursor;
        private final ByteBuffer buffer;
        private final CompletableFuture<Void> finished = new CompletableFuture<>();

        Lane(Run run, long firstBlock, long blocks, AtomicLong cursor, ByteBuffer buffer) {
            this.run = run;
            this.firstBlock = firstBlock;
            this.blocks = blocks;
            this.cursor = cursor;
            this.buffer = buffer;
        }

        /** Issues reads until one is still in flight (its completion continues the chain) or time is up. */
        void next() {
            while (System.nanoTime() < run.deadline && run.failure.get() == null) {
                long offset = (firstBlock + cursor.getAndIncrement()) % blocks * blockSize;
                CompletableFuture<Void> read = device.readAsync(offset, buffer.clear());
                if (!read.isDone()) {
                    read.whenComplete((v, error) -> {
                        count(error);
                        next();
                    });
                    return;
                }
                count(read.handle((v, error) -> error).join());
            }
            finished.complete(null);
        }

        private void count(Throwable error) {
            if (error != null) {
                run.failure.compareAndSet(null, error);
            } else {
                run.bytes.addAndGet(blockSize);
            }
        }
    }
}
