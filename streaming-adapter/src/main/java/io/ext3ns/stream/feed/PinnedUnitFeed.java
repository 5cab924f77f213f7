package io.ext3ns.stream.feed;

import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.fs.cache.PoolExhaustedException;
import io.ext3ns.stream.source.MediaSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Fast-path feed (the paper's Algorithm 2): file data arrives as leases on the file system's block cache (shared with
 * every other reader of the title: FUSE, HTTP, other viewers), one unit being consumed while the next is leased; the
 * file system reads further ahead for this stream. Payloads are slices of those units, never copied. A payload
 * crossing a unit boundary has two segments.
 */
public final class PinnedUnitFeed extends SequentialFeed {
    /** How long to wait before asking the pool again when every unit is leased. */
    private static final long EXHAUSTED_RETRY_MS = 5;

    private final int unitBytes;
    private CompletableFuture<CachedBlock> current;
    private CompletableFuture<CachedBlock> next;
    private CompletableFuture<?> waitingFor = CompletableFuture.completedFuture(null);
    private boolean closed;
    /** Reads started through this feed's source, and releases of dropped units, not yet known to be finished. */
    private final List<CompletableFuture<CachedBlock>> started = new ArrayList<>();

    public PinnedUnitFeed(MediaSource source, long startOffset) {
        super(source);
        this.unitBytes = source.unitBytes();
        seek(startOffset);
    }

    @Override
    protected void moved(long offset) {
        dropUnits();
        if (offset < source.size()) {
            current = load(offset / unitBytes);
        }
    }

    @Override
    public int peek(Payload out) {
        checkOpen();
        if (position >= source.size()) {
            return END;
        }
        CachedBlock cur = ready(current);
        if (cur == null) {
            return NOT_READY;
        }
        if (next == null && cur.fileOffset() + unitBytes < source.size()) {
            next = load(cur.fileOffset() / unitBytes + 1); // read ahead while this unit is being sent
        }
        int bytes = nextPayloadBytes();
        int inCurrent = (int) Math.min(bytes, cur.fileOffset() + cur.length() - position);
        out.clear(position);
        int off = (int) (position - cur.fileOffset());
        out.addSegment(cur.view(), cur.ref().address(), off, inCurrent, cur.ref());
        if (inCurrent < bytes) {
            CachedBlock nxt = ready(next);
            if (nxt == null) {
                return NOT_READY;
            }
            out.addSegment(nxt.view(), nxt.ref().address(), 0, bytes - inCurrent, nxt.ref());
        }
        out.checkSync();
        peeked(bytes);
        return READY;
    }

    @Override
    protected void advanced() {
        CachedBlock cur = current.join();
        if (position >= cur.fileOffset() + cur.length()) {
            cur.ref().release();
            current = next;
            next = null;
        }
    }

    /** The unit if its read is done; null (and {@link #readiness()} set) if not. Rethrows read failures. */
    private CachedBlock ready(CompletableFuture<CachedBlock> f) {
        if (f == null) {
            return null;
        }
        if (!f.isDone()) {
            waitingFor = f;
            return null;
        }
        if (f.isCompletedExceptionally()) {
            Throwable cause = f.handle((u, e) -> e).join();
            Throwable root = cause instanceof CompletionException ? cause.getCause() : cause;
            if (root instanceof PoolExhaustedException) {
                retryLoad(f);
                return null;
            }
            throw root instanceof RuntimeException re ? re : new CompletionException(root);
        }
        return f.join();
    }

    /** The pool was exhausted: ask again shortly (counted by the pool; the session waits, it does not spin). */
    private void retryLoad(CompletableFuture<CachedBlock> failed) {
        long unitNumber = (failed == current ? position : position + unitBytes) / unitBytes;
        CompletableFuture<CachedBlock> again = track(new CompletableFuture<>());
        CompletableFuture.delayedExecutor(EXHAUSTED_RETRY_MS, TimeUnit.MILLISECONDS).execute(() ->
                source.lease(unitNumber).whenComplete((u, e) -> {
                    if (e != null) {
                        again.completeExceptionally(e);
                    } else if (!again.complete(u)) {
                        u.ref().release();
                    }
                }));
        if (failed == current) {
            current = again;
        } else {
            next = again;
        }
        waitingFor = again;
    }

    private CompletableFuture<CachedBlock> load(long unitNumber) {
        return track(source.lease(unitNumber));
    }

    private CompletableFuture<CachedBlock> track(CompletableFuture<CachedBlock> f) {
        started.removeIf(CompletableFuture::isDone);
        started.add(f);
        return f;
    }

    @Override
    public CompletableFuture<Void> quiesced() {
        started.removeIf(CompletableFuture::isDone);
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
    }

    @Override
    public CompletableFuture<?> readiness() {
        return waitingFor;
    }

    private void dropUnits() {
        release(current);
        release(next);
        current = null;
        next = null;
    }

    /**
     * Releases the unit of a future now or, if still reading, when the read completes; the release stage is tracked
     * so {@link #quiesced()} completes only after the unit is back.
     */
    private void release(CompletableFuture<CachedBlock> f) {
        if (f != null) {
            started.add(f.whenComplete((u, e) -> {
                if (u != null) {
                    u.ref().release();
                }
            }));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("feed is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            dropUnits();
        }
    }
}
