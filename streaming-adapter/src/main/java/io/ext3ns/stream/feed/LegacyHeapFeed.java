package io.ext3ns.stream.feed;

import io.ext3ns.stream.source.MediaSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Legacy feed (the paper's Algorithm 1): every payload is read on demand, by the calling thread, into a heap array
 * through the source's buffered read. Kept as the baseline the fast path is measured against. Payloads rotate
 * through {@link Payload#MAX_PER_BURST} arrays, so a burst's payloads stay intact until it is sent (a session
 * never peeks further while a burst is pending).
 */
public final class LegacyHeapFeed extends SequentialFeed {
    private static final CompletableFuture<Void> ALWAYS_READY = CompletableFuture.completedFuture(null);

    private final ByteBuffer[] ring = new ByteBuffer[Payload.MAX_PER_BURST];
    private int ringSlot;
    private long peekedAt = -1;

    public LegacyHeapFeed(MediaSource source, long startOffset) {
        super(source);
        for (int i = 0; i < ring.length; i++) {
            ring[i] = ByteBuffer.wrap(new byte[Payload.MAX_BYTES]);
        }
        seek(startOffset);
    }

    @Override
    public int peek(Payload out) {
        if (position >= source.size()) {
            return END;
        }
        int bytes = nextPayloadBytes();
        ByteBuffer heap = ring[ringSlot];
        if (peekedAt != position) {
            heap.clear().limit(bytes);
            try {
                int n = source.readLegacy(position, heap);
                if (n != bytes) {
                    throw new IOException("short read: " + n + " of " + bytes + " bytes");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + source.name() + " at " + position, e);
            }
            peekedAt = position;
        }
        out.clear(position);
        out.addSegment(heap, 0, 0, bytes, null);
        out.checkSync();
        peeked(bytes);
        return READY;
    }

    @Override
    protected void advanced() {
        ringSlot = (ringSlot + 1) % ring.length;
    }

    @Override
    protected void moved(long offset) {
        peekedAt = -1;
    }

    @Override
    public CompletableFuture<?> readiness() {
        return ALWAYS_READY;
    }

    /** Reads happen on the caller's thread, so none is ever in flight. */
    @Override
    public CompletableFuture<Void> quiesced() {
        return ALWAYS_READY;
    }

    @Override
    public void close() {
        peekedAt = -1;
    }
}
