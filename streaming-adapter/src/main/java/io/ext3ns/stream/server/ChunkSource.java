package io.ext3ns.stream.server;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.sda.AlignedBuffers;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * File data for the senders in aligned chunks read with {@link FileSystem#readDirect} (the fast path: the device
 * fills the buffer, nothing copies it afterwards). A chunk is a whole number of file-system blocks and at least
 * 128 KiB. Chunks are shared: viewers of the same title at nearby positions send from the same buffer, read once,
 * kept in a least-recently-used cache of at most {@code budgetBytes} keyed by (inode, mtime, chunk) so a rewritten
 * file is never served stale. Buffers handed out are read-only views; an evicted chunk a sender still holds stays
 * valid until that sender lets go of it.
 */
public final class ChunkSource {
    private static final int MIN_CHUNK = 128 * 1024;

    private record Key(long ino, long mtimeNanos, long index) {
    }

    private final FileSystem fs;
    private final int chunkSize;
    private final long budgetBytes;
    private final Map<Key, ByteBuffer> cache = new LinkedHashMap<>(64, 0.75f, true);
    private long cachedBytes;
    private long hits;
    private long misses;

    public ChunkSource(FileSystem fs, long budgetBytes) {
        this.fs = fs;
        int block = fs.blockSize();
        if (block <= 0 || Integer.bitCount(block) != 1) {
            throw new IllegalArgumentException("file system block size is not a power of two: " + block);
        }
        this.chunkSize = Math.max(block, MIN_CHUNK);
        this.budgetBytes = budgetBytes;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** An open file to read chunks of; close it to release the file handle. */
    public Reader reader(ContentFile file) throws IOException {
        return new Reader(file, fs.open(file.ino(), false));
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }

    /** One open file. Not thread-safe; each sender has its own. */
    public final class Reader implements Closeable {
        private final ContentFile file;
        private final FileHandle handle;
        private boolean closed;

        private Reader(ContentFile file, FileHandle handle) {
            this.file = file;
            this.handle = handle;
        }

        /**
         * The data from {@code offset} to the end of its chunk (empty at or past end of file), as a read-only
         * buffer whose position 0 is {@code offset}.
         */
        public ByteBuffer chunkAt(long offset) throws IOException {
            if (offset < 0) {
                throw new IllegalArgumentException("negative offset");
            }
            if (offset >= file.size()) {
                return ByteBuffer.allocate(0);
            }
            long index = offset / chunkSize;
            ByteBuffer chunk = chunk(index);
            int within = (int) (offset - index * chunkSize);
            if (within >= chunk.limit()) {
                return ByteBuffer.allocate(0);
            }
            return chunk.duplicate().position(within).slice();
        }

        private ByteBuffer chunk(long index) throws IOException {
            Key key = new Key(file.ino(), file.mtimeNanos(), index);
            synchronized (ChunkSource.this) {
                ByteBuffer hit = cache.get(key);
                if (hit != null) {
                    hits++;
                    return hit;
                }
                misses++;
            }
            ByteBuffer read = read(index);
            synchronized (ChunkSource.this) {
                ByteBuffer raced = cache.putIfAbsent(key, read);
                if (raced != null) {
                    return raced;
                }
                cachedBytes += read.capacity();
                evict();
            }
            return read;
        }

        private ByteBuffer read(long index) throws FsException {
            if (closed) {
                throw new IllegalStateException("reader closed");
            }
            ByteBuffer buf = AlignedBuffers.allocate(chunkSize);
            long offset = index * chunkSize;
            int got = 0;
            while (buf.hasRemaining()) {
                int n = fs.readDirect(handle, offset + got, buf);
                if (n <= 0) {
                    break;
                }
                got += n;
                if (buf.position() != got) {
                    buf.position(got);
                }
                if (got % fs.blockSize() != 0) {
                    break; // short read: end of file
                }
            }
            long expected = Math.min(chunkSize, file.size() - offset);
            if (got < expected) {
                throw new FsException(io.ext3ns.fs.api.Errno.EIO, file.path() + ": read " + got + " of "
                        + expected + " bytes at " + offset + " (file changed while served?)");
            }
            return buf.flip().limit((int) expected).asReadOnlyBuffer();
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                fs.release(handle);
            }
        }
    }

    private void evict() {
        Iterator<Map.Entry<Key, ByteBuffer>> it = cache.entrySet().iterator();
        while (cachedBytes > budgetBytes && it.hasNext()) {
            cachedBytes -= it.next().getValue().capacity();
            it.remove();
        }
    }
}
