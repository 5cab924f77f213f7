package io.ext3ns.sda;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One logical request of an array, cut into member parts: completes once every part has finished, successfully
 * or not, so the caller's buffer is never written after the future completes. The first part error is the result.
 */
final class ArrayRequest {
    private final AtomicInteger remaining;
    private final AtomicReference<Throwable> firstError = new AtomicReference<>();
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private final Runnable onSuccess;

    /** {@code onSuccess} runs in the thread that finishes the last part, before the future completes. */
    ArrayRequest(int parts, Runnable onSuccess) {
        if (parts <= 0) {
            throw new IllegalArgumentException("a request has at least one part: " + parts);
        }
        this.remaining = new AtomicInteger(parts);
        this.onSuccess = onSuccess;
    }

    CompletableFuture<Void> future() {
        return done;
    }

    /** True once a part has failed: parts not yet started are then skipped. */
    boolean failed() {
        return firstError.get() != null;
    }

    /** Records that one part finished; {@code error} is null on success. */
    void partDone(Throwable error) {
        if (error != null) {
            firstError.compareAndSet(null, error);
        }
        if (remaining.decrementAndGet() != 0) {
            return;
        }
        Throwable failure = firstError.get();
        if (failure != null) {
            done.completeExceptionally(failure);
            return;
        }
        try {
            onSuccess.run();
            done.complete(null);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
    }
}
