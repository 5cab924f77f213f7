package io.ext3ns.stream.feed;

import java.util.concurrent.CompletableFuture;

/**
 * The sequence of RTP payloads of one session, read from a media source. Single-threaded (the session's scheduler
 * thread); I/O happens elsewhere and is waited for through {@link #readiness()}.
 */
public interface PayloadFeed extends AutoCloseable {
    /** {@link #peek} result: the payload is filled in. */
    int READY = 1;
    /** {@link #peek} result: data is still being read; wait for {@link #readiness()}. */
    int NOT_READY = 0;
    /** {@link #peek} result: no more payloads. */
    int END = -1;

    /**
     * Fills {@code out} with the next payload without consuming it; returns {@link #READY}, {@link #NOT_READY} or
     * {@link #END}. Throws {@link io.ext3ns.stream.ts.NotMpegTsException} when a packet lacks its sync byte.
     */
    int peek(Payload out);

    /** Consumes the payload last peeked. */
    void advance();

    /** Restarts at {@code offset}, which must be a multiple of 188 inside the file. */
    void seek(long offset);

    /** Byte offset of the next payload. */
    long position();

    /** Completes when a {@link #NOT_READY} peek may succeed (immediately complete when nothing is pending). */
    CompletableFuture<?> readiness();

    /**
     * Completes when no read this feed started is still running and, after {@link #close()}, every unit it held is
     * back in the pool. A read may serve other sessions sharing the unit, so the source must stay open until then.
     */
    CompletableFuture<Void> quiesced();

    /** Releases every unit held; the feed is unusable afterwards. */
    @Override
    void close();
}
