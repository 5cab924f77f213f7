package io.ext3ns.stream.source;

import com.sun.nio.file.ExtendedOpenOption;
import io.ext3ns.fs.cache.BlockCache;
import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.fs.cache.LeaseTracing;
import io.ext3ns.fs.cache.PinnedBufferPool;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.sda.AlignedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A file of the host file system: the peer of the EXT3NS fast path in tests and benchmarks ("plain read/send
 * path"). {@link #readDirect} uses O_DIRECT where the host file system supports it (tmpfs does not; then it falls
 * back to an ordinary pread, still straight into the caller's direct buffer).
 */
public final class PlainFileSource implements MediaSource {
    private final Path path;
    private final FileChannel legacy;
    private final FileChannel direct;
    private final long size;
    /** Which number the shared cache knows this file by. */
    private final long cacheKey;

    /**
     * One block cache for every plain file of the process (a host file is on no EXT3NS volume): sources of the same
     * file share its units, as viewers of a stored title share the volume's cache.
     */
    private static final BlockCache CACHE = new BlockCache(
            new PinnedBufferPool(UnitSize.M1, 64, false, LeaseTracing.NONE), 2);
    private static final ConcurrentHashMap<Object, Long> KEYS = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong NEXT_KEY = new java.util.concurrent.atomic.AtomicLong();

    public PlainFileSource(Path path) throws IOException {
        this.path = path.toAbsolutePath();
        this.legacy = FileChannel.open(path, StandardOpenOption.READ);
        this.size = legacy.size();
        this.direct = openDirect(path);
        // same path, size and modification time: same bytes (a rewritten file gets new units)
        Object identity = List.of(this.path.toString(), size, Files.getLastModifiedTime(path).toMillis());
        this.cacheKey = KEYS.computeIfAbsent(identity, k -> NEXT_KEY.getAndIncrement());
    }

    /** The block cache plain-file sources share (its counters, for tests and benchmarks). */
    public static BlockCache cache() {
        return CACHE;
    }

    @Override
    public int unitBytes() {
        return CACHE.unitBytes();
    }

    @Override
    public CompletableFuture<CachedBlock> lease(long unitNumber) {
        return CACHE.leaseAsync(cacheKey, unitNumber, new BlockCache.Filler() {
            @Override
            public void locked(long file, BlockCache.FillStep body) throws IOException {
                body.run(); // a host file read: nothing to lock
            }

            @Override
            public int fill(long file, long unit, ByteBuffer dst) throws IOException {
                long at = unit * dst.capacity();
                if (at >= size) {
                    throw new IOException("unit " + unit + " is past the end of " + path);
                }
                return readDirect(at, dst.clear());
            }
        });
    }

    private static FileChannel openDirect(Path path) {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
            ByteBuffer probe = AlignedBuffers.allocate(AlignedBuffers.PAGE);
            ch.read(probe, 0); // some file systems accept the open flag and refuse the read
            return ch;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public Object key() {
        return "file:" + path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int directAlignment() {
        return AlignedBuffers.PAGE;
    }

    /** True when reads bypass the page cache (O_DIRECT). */
    public boolean usesODirect() {
        return direct != null;
    }

    @Override
    public int readDirect(long offset, ByteBuffer dst) throws IOException {
        if (offset % AlignedBuffers.PAGE != 0 || dst.remaining() % AlignedBuffers.PAGE != 0) {
            throw new IllegalArgumentException("direct read must be page aligned: offset " + offset + ", length "
                    + dst.remaining());
        }
        return readFully(direct != null ? direct : legacy, offset, dst);
    }

    @Override
    public int readLegacy(long offset, ByteBuffer dst) throws IOException {
        return readFully(legacy, offset, dst);
    }

    private int readFully(FileChannel ch, long offset, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining() && offset + total < size) {
            int n = ch.read(dst, offset + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return (int) Math.min(total, Math.max(0, size - offset));
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        legacy.close();
        if (direct != null) {
            direct.close();
        }
    }
}
