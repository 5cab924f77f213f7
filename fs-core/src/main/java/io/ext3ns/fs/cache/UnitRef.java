package io.ext3ns.fs.cache;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lease on a pinned unit: the only way to reach its memory. Each lease is released exactly once; releasing it
 * again throws, so a stale holder can never free a unit someone else now owns. {@link #retain()} makes a further,
 * independent lease on the same unit (shared reads: many sessions, one unit). The unit returns to its pool when its
 * last lease is released. Leases not released are listed by {@link PinnedBufferPool#outstanding()} with the stack
 * where they were taken.
 */
public final class UnitRef implements AutoCloseable {
    private final PinnedUnit unit;
    private final int incarnation;
    private final AtomicBoolean released = new AtomicBoolean();
    /** Pins held through this lease ({@link #pin()}); they keep the unit alive even after {@link #release()}. */
    private final AtomicInteger pins = new AtomicInteger();
    private final Throwable takenAt;

    UnitRef(PinnedUnit unit, int incarnation, Throwable takenAt) {
        this.unit = unit;
        this.incarnation = incarnation;
        this.takenAt = takenAt;
        unit.pool.track(this);
    }

    /**
     * The unit's memory: a direct buffer of {@link #capacity()} bytes at an address aligned to 4096, position 0.
     * Each call returns a new view; views must not be used after {@link #release()}.
     */
    public ByteBuffer buffer() {
        checkLive();
        return unit.memory.duplicate().clear();
    }

    /** Native address of the unit's first byte (for iovecs). */
    public long address() {
        checkLive();
        return unit.address;
    }

    public int capacity() {
        return unit.memory.capacity();
    }

    /** Index of the unit in its pool (stable; for diagnostics and cache bookkeeping). */
    public int unitIndex() {
        return unit.index;
    }

    /** A further lease on the same unit. */
    public UnitRef retain() {
        checkLive();
        if (!unit.tryRetain(incarnation)) {
            throw new IllegalStateException("unit " + unit.index + " is no longer alive");
        }
        return new UnitRef(unit, incarnation, unit.pool.traceForRetain());
    }

    /**
     * Keeps the unit alive without making a lease object: what a send queue does for every packet it holds for a
     * few microseconds, so the per-packet path allocates nothing. Each pin is undone by exactly one {@link #unpin()}
     * on this same lease; pins outlive {@link #release()} (the unit returns to the pool when the last lease or pin
     * goes). Allowed while the lease is live, or released but still pinned (the unit is then known to be alive).
     * Pins are not listed by {@link PinnedBufferPool#outstanding()}; a pin never undone shows as a unit in use.
     */
    public void pin() {
        if (released.get() && pins.get() == 0) {
            throw new IllegalStateException("pin after release of a lease on unit " + unit.index);
        }
        if (!unit.tryRetain(incarnation)) {
            throw new IllegalStateException("unit " + unit.index + " is no longer alive");
        }
        pins.incrementAndGet();
    }

    /** Undoes one {@link #pin()}; throws when this lease holds no pin. */
    public void unpin() {
        if (pins.getAndUpdate(n -> n > 0 ? n - 1 : n) == 0) {
            throw new IllegalStateException("unpin without a pin on unit " + unit.index);
        }
        if (unit.releaseOne()) {
            unit.pool.giveBack(unit);
        }
    }

    /** Pins currently held through this lease. */
    public int pins() {
        return pins.get();
    }

    /**
     * A handle that does not keep the unit alive but can make a new lease while the unit is still held by someone
     * in this same incarnation: how a shared-read cache finds units other sessions hold.
     */
    public UnitHandle handle() {
        checkLive();
        return new UnitHandle(unit, incarnation);
    }

    /** Gives this lease back; the unit returns to the pool with its last lease. A second call throws. */
    public void release() {
        if (!released.compareAndSet(false, true)) {
            throw new IllegalStateException("double free: this lease on unit " + unit.index + " was already released");
        }
        unit.pool.untrack(this);
        if (unit.releaseOne()) {
            unit.pool.giveBack(unit);
        }
    }

    public boolean released() {
        return released.get();
    }

    /** Same as {@link #release()}, for try-with-resources. */
    @Override
    public void close() {
        release();
    }

    /** Where this lease was taken (null when the pool does not trace this kind of lease). */
    public Throwable takenAt() {
        return takenAt;
    }

    private void checkLive() {
        if (released.get()) {
            throw new IllegalStateException("use after release of a lease on unit " + unit.index);
        }
    }

    @Override
    public String toString() {
        return "UnitRef[unit " + unit.index + ", " + capacity() + " B" + (released() ? ", released]" : "]");
    }
}
