package io.ext3ns.stream.source;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file's bytes as the streaming paths read them: the fast path reads whole aligned chunks straight into pinned
 * memory, the legacy path copies small pieces into heap arrays. Implementations are thread-safe for reads.
 */
public interface MediaSource extends Closeable {
    /**
     * Identity of the content for shared reads: two sources with equal keys hold the same bytes, so a unit read
     * for one serves the other.
     */
    Object key();

    /** Size in bytes. */
    long size();

    /** Offsets and lengths of {@link #readDirect} must be multiples of this (the file system block size). */
    int directAlignment();

    /**
     * Fast path: fills {@code dst} (a pinned, aligned direct buffer; {@code remaining()} a multiple of
     * {@link #directAlignment()}) from {@code offset} with no intermediate copy. Returns the bytes of file data
     * placed, fewer than requested only at end of file.
     */
    int readDirect(long offset, ByteBuffer dst) throws IOException;

    /** Legacy path: copies up to {@code dst.remaining()} bytes at {@code offset} into a heap buffer; returns bytes. */
    int readLegacy(long offset, ByteBuffer dst) throws IOException;

    /**
     * Where bytes from {@code offset} (a multiple of {@link #directAlignment()}) for {@code length} lie on the
     * store's member files, for sendfile; null when the source cannot say (see
     * {@link io.ext3ns.fs.api.FileSystem#locateDirect}).
     */
    default java.util.List<io.ext3ns.sda.MemberExtent> locate(long offset, long length) throws IOException {
        return null;
    }

    /** Bytes per unit of {@link #lease}: whole blocks of the block cache. */
    default int unitBytes() {
        throw new UnsupportedOperationException(name() + " has no block cache");
    }

    /**
     * A lease on unit {@code unitNumber} (bytes [{@code unitNumber * unitBytes()}, ...)) of the block cache, once in
     * memory; never blocks. Fails with {@link io.ext3ns.fs.cache.PoolExhaustedException} when every unit is leased.
     */
    default java.util.concurrent.CompletableFuture<io.ext3ns.fs.cache.CachedBlock> lease(long unitNumber) {
        throw new UnsupportedOperationException(name() + " has no block cache");
    }

    /** Short description for messages. */
    String name();
}
