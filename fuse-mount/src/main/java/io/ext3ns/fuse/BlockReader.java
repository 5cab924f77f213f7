package io.ext3ns.fuse;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.sda.AlignedBuffers;

import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves FUSE's reads of files opened read-only from whole file-system blocks read with the engine's fast path
 * ({@link FileSystem#readDirect}: device straight into an aligned direct buffer, no heap copy, no cache churn).
 * A 1 MiB block then answers eight 128 KiB requests with one device read and eight memory copies. Measured on a
 * 1 GiB file (1 MiB blocks, same run): 0.13-0.17 s CPU per GiB against 1.1-1.6 s through the legacy path.
 *
 * <p>Each open file gets two block windows (the kernel's read-ahead has requests for two blocks in flight), taken
 * from a bounded pool; when the pool is empty the caller falls back to the legacy path. Coherence: readDirect flushes
 * gathered writes of the inode before reading, and every change made through this mount (write, truncate,
 * fallocate) bumps the inode's generation <em>after</em> it is applied, so a window filled before the change is
 * refilled on its next use.
 */
final class BlockReader {
    /** Below this block size a window would be smaller than a FUSE request: the legacy path is as good. */
    static final int MIN_BLOCK_SIZE = 128 * 1024;
    private static final long POOL_BYTES = 64L << 20;
    private static final int WINDOWS_PER_FILE = 2;

    private final FileSystem fs;
    private final int blockSize;
    private final BlockingQueue<ByteBuffer> pool;
    private final AtomicInteger allocated = new AtomicInteger();
    private final int maxBuffers;
    /** Inodes with open windows: their change generation and how many open files watch it. */
    private final ConcurrentHashMap<Long, Watch> watched = new ConcurrentHashMap<>();

    private static final class Watch {
        final AtomicLong generation = new AtomicLong();
        int files; // guarded by the map's compute
    }

    /** One block of one open file, as last read. */
    private static final class Window {
        ByteBuffer buffer; // null until first use
        volatile long block = -1;
        int valid;
        long generation;
        long lastUse;
    }

    /** The windows of one open file. */
    final class Reader {
        private final FileHandle handle;
        private final Watch watch;
        private final Window[] windows = new Window[WINDOWS_PER_FILE];
        private long uses;

        private Reader(FileHandle handle, Watch watch) {
            this.handle = handle;
            this.watch = watch;
            for (int i = 0; i < windows.length; i++) {
                windows[i] = new Window();
            }
        }

        /**
         * Reads from {@code offset} into {@code dst} up to the end of the file; returns bytes read, or -1 when no
         * window buffer is free and nothing was read (the caller then reads through the legacy path).
         */
        int read(long offset, ByteBuffer dst) throws FsException {
            int total = 0;
            while (dst.hasRemaining()) {
                long pos = offset + total;
                Window w = windowFor(pos / blockSize);
                synchronized (w) {
                    if (w.buffer == null && (w.buffer = takeBuffer()) == null) {
                        // No window to be had: the legacy path reads the rest (it fills up to the end of file).
                        return total == 0 ? -1 : total + fs.read(handle, pos, dst);
                    }
                    long generation = watch.generation.get();
                    if (w.block != pos / blockSize || w.generation != generation) {
                        w.block = -1; // invalid until the fill succeeds
                        w.buffer.clear();
                        w.valid = fs.readDirect(handle, pos / blockSize * blockSize, w.buffer);
                        w.block = pos / blockSize;
                        w.generation = generation;
                    }
                    int inBlock = (int) (pos % blockSize);
                    if (inBlock >= w.valid) {
                        break; // end of file
                    }
                    int n = Math.min(dst.remaining(), w.valid - inBlock);
                    dst.put(dst.position(), w.buffer, inBlock, n).position(dst.position() + n);
                    total += n;
                }
            }
            return total;
        }

        /** The window holding {@code block}, else the least recently used one. */
        private synchronized Window windowFor(long block) {
            Window pick = windows[0];
            for (Window w : windows) {
                if (w.block == block) {
                    pick = w;
                    break;
                }
                if (w.lastUse < pick.lastUse) {
                    pick = w;
                }
            }
            pick.lastUse = ++uses;
            return pick;
        }

        void close() {
            for (Window w : windows) {
                synchronized (w) {
                    if (w.buffer != null) {
                        pool.offer(w.buffer);
                        w.buffer = null;
                    }
                }
            }
            watched.computeIfPresent(handle.ino(), (ino, watch) -> --watch.files == 0 ? null : watch);
        }
    }

    BlockReader(FileSystem fs) {
        this.fs = fs;
        this.blockSize = fs.blockSize();
        this.maxBuffers = (int) Math.max(WINDOWS_PER_FILE, POOL_BYTES / blockSize);
        this.pool = new ArrayBlockingQueue<>(maxBuffers);
    }

    /** A reader for a file opened read-only, or null when whole-block reads would not help. */
    Reader open(FileHandle handle, long size) {
        if (blockSize < MIN_BLOCK_SIZE || handle.writable() || size < blockSize) {
            return null;
        }
        Watch watch = watched.compute(handle.ino(), (ino, w) -> {
            Watch v = w == null ? new Watch() : w;
            v.files++;
            return v;
        });
        return new Reader(handle, watch);
    }

    /** Call after a change to {@code ino}'s data or size is applied. */
    void changed(long ino) {
        Watch watch = watched.get(ino);
        if (watch != null) {
            watch.generation.incrementAndGet();
        }
    }

    private ByteBuffer takeBuffer() {
        ByteBuffer b = pool.poll();
        if (b == null && allocated.incrementAndGet() <= maxBuffers) {
            b = AlignedBuffers.allocate(blockSize);
        } else if (b == null) {
            allocated.decrementAndGet();
        }
        return b;
    }
}
