package io.ext3ns.stream.origin;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.stream.content.UpstreamUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * One title being copied from the origin into its (fallocated, full-size) file, chunk by chunk with ranged GETs,
 * while readers already read it: {@link #await} lets a read through as soon as the chunks it covers are in (the
 * paper's prefix caching), and a read far ahead of the copy (a seek) makes the copy jump there first and come back
 * for the rest. The title is marked complete in its xattr only after the last chunk is synced.
 */
final class TitleFill implements Runnable {
    /** A reader waits at most this long for one range before its read fails (the origin is too slow or stuck). */
    static final long WAIT_LIMIT_NANOS = 60_000_000_000L;
    /** A wanted chunk at most this many chunks ahead of the copy is waited for, not jumped to. */
    private static final int LOOKAHEAD_CHUNKS = 4;
    private static final int CHUNK_TARGET = 256 << 10;

    /** What the store does when a fill ends. */
    interface Outcome {
        void completed(TitleFill fill);

        void failed(TitleFill fill, IOException cause);
    }

    final String path;
    final long ino;
    final OriginObject object;
    private final FileSystem fs;
    private final Origin origin;
    private final OriginMetrics metrics;
    private final Outcome outcome;
    private final int chunk;
    private final int chunks;
    private final long startedNanos = System.nanoTime();
    private final BitSet filled;
    private int wanted = -1;
    private IOException failure;
    private boolean complete;
    private volatile boolean cancelled;
    private volatile InputStream current; // the origin body being read, closed by cancel() to wake the read

    TitleFill(FileSystem fs, Origin origin, OriginMetrics metrics, Outcome outcome, String path, long ino,
              OriginObject object) {
        this.fs = fs;
        this.origin = origin;
        this.metrics = metrics;
        this.outcome = outcome;
        this.path = path;
        this.ino = ino;
        this.object = object;
        int block = fs.blockSize();
        this.chunk = block * Math.max(1, CHUNK_TARGET / block); // whole blocks: each write fills blocks, no merge
        long n = (object.size() + chunk - 1) / chunk;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(path + " is too large to fill: " + object.size() + " bytes");
        }
        this.chunks = (int) n;
        this.filled = new BitSet(chunks);
    }

    /** The origin key of the title: its path in the store without the leading '/'. */
    String key() {
        return path.substring(1);
    }

    synchronized boolean complete() {
        return complete;
    }

    /**
     * Stops the fill for a shutdown: the body being read is closed (a read blocked on the origin returns), and no
     * more is written; the title stays marked partial, so the next start removes it.
     */
    void cancel() {
        cancelled = true;
        InputStream in = current;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // closing only to wake the reader: it stops either way
            }
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    /** Blocks until bytes {@code [offset, offset + length)} are in the file, or fails if the fill does. */
    void await(long offset, long length) throws FsException {
        long end = Math.min(object.size(), offset + length);
        if (offset >= end) {
            return;
        }
        int first = (int) (offset / chunk);
        int last = (int) ((end - 1) / chunk);
        long deadline = System.nanoTime() + WAIT_LIMIT_NANOS;
        synchronized (this) {
            while (true) {
                if (complete) {
                    return;
                }
                if (failure != null) {
                    throw new UpstreamUnavailableException("fill of " + path + " failed: " + failure.getMessage(),
                            failure);
                }
                int missing = filled.nextClearBit(first);
                if (missing > last) {
                    return;
                }
                if (wanted < 0 || filled.get(wanted)) {
                    wanted = missing;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new UpstreamUnavailableException("origin too slow: bytes " + offset + "-" + (end - 1)
                            + " of " + path + " did not arrive in " + WAIT_LIMIT_NANOS / 1_000_000_000L + " s");
                }
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UpstreamUnavailableException("interrupted waiting for " + path);
                }
            }
        }
    }

    @Override
    public void run() {
        FileHandle handle = null;
        try {
            handle = fs.open(ino, true);
            copy(handle);
            stopIfCancelled();
            fs.fsync(handle);
            fs.setxattr(ino, TitleState.XATTR, new TitleState(true, object.validator()).encode(),
                    FileSystem.XATTR_REPLACE);
            metrics.fetchNanos.add(System.nanoTime() - startedNanos);
            metrics.fetchesDone.increment();
            synchronized (this) {
                complete = true;
                notifyAll();
            }
            outcome.completed(this);
        } catch (IOException | RuntimeException e) {
            IOException cause = e instanceof IOException io ? io : new IOException(e.toString(), e);
            synchronized (this) {
                failure = cause;
                notifyAll();
            }
            outcome.failed(this, cause);
        } finally {
            if (handle != null) {
                try {
                    fs.release(handle);
                } catch (FsException e) {
                    // the handle is gone either way; the outcome above already said what matters
                }
            }
        }
    }

    private void copy(FileHandle handle) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(chunk);
        boolean firstBytes = true;
        int cursor = 0;
        while (true) {
            int start;
            int stop;
            synchronized (this) {
                start = next(cursor);
                if (start < 0) {
                    return;
                }
                stop = filled.nextSetBit(start);
                stop = stop < 0 ? chunks : stop;
            }
            long from = (long) start * chunk;
            long to = Math.min(object.size(), (long) stop * chunk);
            stopIfCancelled();
            try (InputStream in = origin.get(key(), object, from, to)) {
                current = in;
                for (int c = start; c < stop; c++) {
                    stopIfCancelled();
                    int len = (int) Math.min(chunk, object.size() - (long) c * chunk);
                    buf.clear().limit(len);
                    readFully(in, buf, c);
                    if (firstBytes) {
                        metrics.firstByteNanos.add(System.nanoTime() - startedNanos);
                        metrics.firstBytes.increment();
                        firstBytes = false;
                    }
                    buf.flip();
                    stopIfCancelled(); // the store is closing: the volume may be closed next, write nothing more
                    long off = (long) c * chunk;
                    while (buf.hasRemaining()) {
                        off += fs.write(handle, off, buf);
                    }
                    metrics.bytes.add(len);
                    synchronized (this) {
                        filled.set(c);
                        notifyAll();
                        cursor = c + 1;
                        if (wanted >= 0 && filled.get(wanted)) {
                            wanted = -1;
                        }
                        if (wanted >= 0 && (wanted <= c || wanted > c + LOOKAHEAD_CHUNKS)) {
                            cursor = wanted; // a reader seeked: this stream is closed, the next starts there
                            break;
                        }
                    }
                }
            }
        }
    }

    private void stopIfCancelled() throws InterruptedIOException {
        if (cancelled || Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("fill of " + path + " stopped");
        }
    }

    /** The chunk to fetch next: a reader's, else the first missing from {@code cursor}, else from the start. */
    private int next(int cursor) {
        if (wanted >= 0 && !filled.get(wanted)) {
            return wanted;
        }
        int i = filled.nextClearBit(Math.min(cursor, chunks));
        if (i < chunks) {
            return i;
        }
        i = filled.nextClearBit(0);
        return i < chunks ? i : -1;
    }

    private void readFully(InputStream in, ByteBuffer buf, int c) throws IOException {
        byte[] a = buf.array();
        while (buf.hasRemaining()) {
            int n = in.read(a, buf.position(), buf.remaining());
            if (n < 0) {
                throw new UpstreamUnavailableException(origin.describe() + " ended the body of " + key()
                        + " early, in chunk " + c + " of " + chunks);
            }
            buf.position(buf.position() + n);
        }
    }
}
