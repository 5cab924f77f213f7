package io.ext3ns.bench.sda;

import io.ext3ns.sda.testing.ForwardingMember;
import io.ext3ns.sda.MemberIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

/**
 * Bench-only member wrapper that adds a fixed service latency to every request, like a disk's positioning time or
 * a remote member's round trip. Concurrent requests wait in parallel (a device with command queueing), so what a
 * pipeline gains is the latency it hides by keeping a second request waiting at every member.
 */
final class DelayedMember extends ForwardingMember {
    private final long latencyNanos;

    DelayedMember(MemberIo inner, long latencyNanos) {
        super(inner);
        this.latencyNanos = latencyNanos;
    }

    private void serviceTime() {
        long until = System.nanoTime() + latencyNanos;
        for (long left = latencyNanos; left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        serviceTime();
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        serviceTime();
        inner.write(offset, src);
    }
}
