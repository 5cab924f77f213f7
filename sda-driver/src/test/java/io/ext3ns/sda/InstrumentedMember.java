package io.ext3ns.sda;

import io.ext3ns.sda.testing.ForwardingMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/** A test member wrapper: injects I/O errors on demand and records how many requests were in flight at once. */
final class InstrumentedMember extends ForwardingMember {
    final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final long delayNanos;

    InstrumentedMember(MemberIo inner, long delayNanos) {
        super(inner);
        this.delayNanos = delayNanos;
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    @FunctionalInterface
    private interface Call {
        void run() throws IOException;
    }

    /** Counts {@code call} as in flight, after the configured delay, unless failures are switched on. */
    private void instrumented(Call call) throws IOException {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            if (delayNanos > 0) {
                LockSupport.parkNanos(delayNanos);
            }
            if (failing.get()) {
                throw new IOException("injected failure");
            }
            call.run();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        instrumented(() -> inner.read(offset, dst));
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        instrumented(() -> inner.write(offset, src));
    }

    @Override
    public void sync() throws IOException {
        instrumented(inner::sync);
    }
}
