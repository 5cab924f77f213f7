package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.ts.TsPacket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A transport stream whose size is not a multiple of 188 bytes (a recording cut short) seen as its whole packets
 * only: RTP carries whole TS packets (RFC 2250), so the partial one at the end is left out. Its own content key,
 * because its units end earlier than those of the whole file (which HTTP serves as it is).
 */
final class WholePacketSource implements MediaSource {
    private final MediaSource file;
    private final long size;
    private final Object key;

    private WholePacketSource(MediaSource file) {
        this.file = file;
        this.size = file.size() - file.size() % TsPacket.SIZE;
        this.key = new Key(file.key());
    }

    private record Key(Object file) {
    }

    /** {@code file} itself when its size is whole packets, else a view of its whole packets (owning the file). */
    static MediaSource of(MediaSource file) {
        return file.size() % TsPacket.SIZE == 0 ? file : new WholePacketSource(file);
    }

    @Override
    public Object key() {
        return key;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int directAlignment() {
        return file.directAlignment();
    }

    @Override
    public int readDirect(long offset, ByteBuffer dst) throws IOException {
        int n = file.readDirect(offset, dst);
        return (int) Math.max(0, Math.min(n, size - offset)); // the partial packet's bytes are not counted
    }

    @Override
    public int unitBytes() {
        return file.unitBytes();
    }

    @Override
    public java.util.concurrent.CompletableFuture<io.ext3ns.fs.cache.CachedBlock> lease(long unitNumber) {
        return file.lease(unitNumber); // readers stop at size(): the partial packet's bytes are never sent
    }

    @Override
    public int readLegacy(long offset, ByteBuffer dst) throws IOException {
        if (offset >= size) {
            return 0;
        }
        int limit = dst.limit();
        dst.limit((int) Math.min(limit, dst.position() + (size - offset)));
        try {
            return file.readLegacy(offset, dst);
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public String name() {
        return file.name() + " (" + size + " bytes of whole packets)";
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
