package io.ext3ns.stream.pool;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.stream.nativeio.NativeCalls;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's PMEM: a fixed set of off-heap, 4096-aligned units of one size, allocated once, pinned with mlock where
 * RLIMIT_MEMLOCK allows, and handed out as {@link UnitRef} leases. Units are never allocated after construction, so
 * the pool's footprint is known up front and a leak shows as units that never come back ({@link #outstanding()}).
 * Thread-safe.
 */
public final class PinnedBufferPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PinnedBufferPool.class);

    private final UnitSize unitSize;
    private final PinnedUnit[] units;
    private final ArrayDeque<PinnedUnit> free;
    private final Set<UnitRef> liveLeases = ConcurrentHashMap.newKeySet();
    private final LeaseTracing tracing;
    private final long lockedBytes;
    private int peakInUse;
    private long exhausted;
    private boolean closed;

    /**
     * @param unitSize   size of every unit
     * @param unitCount  number of units (1..65536); all memory is allocated now
     * @param lockMemory try to mlock the units; if the memlock limit refuses, log a warning naming the limit
     * @param tracing    which leases record the stack where they were taken
     */
    public PinnedBufferPool(UnitSize unitSize, int unitCount, boolean lockMemory, LeaseTracing tracing) {
        if (unitCount < 1 || unitCount > 65_536) {
            throw new IllegalArgumentException("unit count must be 1..65536, not " + unitCount);
        }
        this.unitSize = unitSize;
        this.tracing = tracing;
        this.units = new PinnedUnit[unitCount];
        this.free = new ArrayDeque<>(unitCount);
        boolean nativeOk = NativeCalls.available();
        for (int i = 0; i < unitCount; i++) {
            ByteBuffer memory = AlignedBuffers.allocate(unitSize.bytes());
            long address = nativeOk ? NativeCalls.address(memory) : 0;
            units[i] = new PinnedUnit(this, i, memory, address);
            free.add(units[i]);
        }
        this.lockedBytes = lockMemory ? lockAll() : 0;
    }

    /** A pool of {@code unitCount} units, mlock'ed where possible, tracing where each unit was acquired. */
    public static PinnedBufferPool create(UnitSize unitSize, int unitCount) {
        return new PinnedBufferPool(unitSize, unitCount, true, LeaseTracing.ACQUIRE);
    }

    private long lockAll() {
        long want = (long) units.length * unitSize.bytes();
        long limit = MemoryLocker.memlockLimit();
        long locked = 0;
        for (PinnedUnit u : units) {
            if (u.address == 0) {
                break;
            }
            int err = MemoryLocker.lock(u.address, unitSize.bytes());
            if (err != 0) {
                LOG.warn("pinned pool: mlock refused after {} of {} bytes ({}); RLIMIT_MEMLOCK is {}. Units stay "
                                + "usable but may be paged out; raise the limit (ulimit -l, LimitMEMLOCK=) or grant "
                                + "CAP_IPC_LOCK", locked, want, err < 0 ? "no libc" : NativeCalls.describe(err),
                        limit == Long.MAX_VALUE ? "unlimited" : limit + " bytes");
                unlockFirst(locked);
                return 0;
            }
            locked += unitSize.bytes();
        }
        return locked;
    }

    private void unlockFirst(long bytes) {
        for (int i = 0; (long) i * unitSize.bytes() < bytes; i++) {
            MemoryLocker.unlock(units[i].address, unitSize.bytes());
        }
    }

    /** A lease on a free unit; throws {@link PoolExhaustedException} when none is free. */
    public UnitRef acquire() {
        UnitRef ref = tryAcquire();
        if (ref == null) {
            throw new PoolExhaustedException("all " + units.length + " units of " + unitSize.bytes()
                    + " bytes are in use");
        }
        return ref;
    }

    /** A lease on a free unit, or null when every unit is in use (counted in {@link PoolMetrics#exhausted()}). */
    public UnitRef tryAcquire() {
        PinnedUnit unit;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("pool is closed");
            }
            unit = free.poll();
            if (unit == null) {
                exhausted++;
                return null;
            }
            peakInUse = Math.max(peakInUse, units.length - free.size());
        }
        int incarnation = unit.handOut();
        return new UnitRef(unit, incarnation, tracing == LeaseTracing.NONE ? null : new Throwable("unit taken here"));
    }

    public UnitSize unitSize() {
        return unitSize;
    }

    public synchronized PoolMetrics metrics() {
        int inUse = units.length - free.size();
        return new PoolMetrics(unitSize.bytes(), units.length, inUse, free.size(), peakInUse, exhausted,
                liveLeases.size(), lockedBytes);
    }

    /** Leases taken and not yet released; each carries {@link UnitRef#takenAt()} when traced. */
    public List<UnitRef> outstanding() {
        return List.copyOf(liveLeases);
    }

    /** Logs every outstanding lease with where it was taken; returns how many there were. */
    public int reportLeaks() {
        List<UnitRef> leaks = outstanding();
        for (UnitRef ref : leaks) {
            LOG.warn("pinned pool leak: {} was never released", ref, ref.takenAt());
        }
        return leaks.size();
    }

    /** Unlocks the memory and reports leaks. Units still leased stay valid until released (then are dropped). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        reportLeaks();
        unlockFirst(lockedBytes);
    }

    Throwable traceForRetain() {
        return tracing == LeaseTracing.ALL ? new Throwable("lease retained here") : null;
    }

    void track(UnitRef ref) {
        liveLeases.add(ref);
    }

    void untrack(UnitRef ref) {
        liveLeases.remove(ref);
    }

    void giveBack(PinnedUnit unit) {
        synchronized (this) {
            free.push(unit); // LIFO: the most recently used unit is the most likely to be cache-warm
        }
    }
}
