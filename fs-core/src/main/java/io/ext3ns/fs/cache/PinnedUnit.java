package io.ext3ns.fs.cache;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pinned, 4096-aligned unit of the pool. Callers never hold a unit directly, only {@link UnitRef} leases; the
 * unit counts leases. Reference count and incarnation are packed into one word so "retain if still the same
 * incarnation" is a single CAS: a unit that went back to the pool and was handed out again is never retained by
 * someone who looked it up before.
 */
final class PinnedUnit {
    private static final long COUNT_MASK = 0xFFFF_FFFFL;

    final PinnedBufferPool pool;
    final int index;
    final ByteBuffer memory;
    final long address;
    /** high 32 bits: incarnation (bumped at every hand-out); low 32 bits: live leases. */
    private final AtomicLong state = new AtomicLong();

    PinnedUnit(PinnedBufferPool pool, int index, ByteBuffer memory, long address) {
        this.pool = pool;
        this.index = index;
        this.memory = memory;
        this.address = address;
    }

    /** Called by the pool when it hands the unit out: new incarnation, one lease. Returns the incarnation. */
    int handOut() {
        long s = state.get();
        if ((s & COUNT_MASK) != 0) {
            throw new IllegalStateException("pool handed out unit " + index + " that still has leases");
        }
        int incarnation = (int) (s >>> 32) + 1;
        state.set(((long) incarnation << 32) | 1);
        return incarnation;
    }

    /** Adds a lease if the unit is still in {@code incarnation} and alive; false otherwise. */
    boolean tryRetain(int incarnation) {
        while (true) {
            long s = state.get();
            long count = s & COUNT_MASK;
            if ((int) (s >>> 32) != incarnation || count == 0) {
                return false;
            }
            if (count == COUNT_MASK) {
                throw new IllegalStateException("reference count overflow on unit " + index);
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /** Drops one lease; true when it was the last (the caller then returns the unit to the pool). */
    boolean releaseOne() {
        while (true) {
            long s = state.get();
            long count = s & COUNT_MASK;
            if (count == 0) {
                throw new IllegalStateException("unit " + index + " released more often than retained");
            }
            if (state.compareAndSet(s, s - 1)) {
                return count == 1;
            }
        }
    }

    int incarnation() {
        return (int) (state.get() >>> 32);
    }

    int leases() {
        return (int) (state.get() & COUNT_MASK);
    }
}
