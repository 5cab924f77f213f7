package io.ext3ns.fs.cache;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.HugePageArena;
import io.ext3ns.sda.uring.LinuxCalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper's PMEM: a bounded set of off-heap, 4096-aligned units of one size, pinned with mlock where
 * RLIMIT_MEMLOCK allows, and handed out as {@link UnitRef} leases. A unit's memory is allocated the first time it is
 * needed and then kept for the pool's life, so the footprint never passes the bound and a volume opened for a moment
 * costs nothing; a leak shows as units that never come back ({@link #outstanding()}). The units are either ordinary
 * aligned direct buffers or carved from a {@link HugePageArena} the pool owns ({@link #inArena}), which a file system
 * on an io_uring array registers so unit reads go as READ_FIXED. Thread-safe.
 */
public final class PinnedBufferPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PinnedBufferPool.class);

    private final UnitSize unitSize;
    private final PinnedUnit[] units;
    private final ArrayDeque<PinnedUnit> free;
    private final Set<UnitRef> liveLeases = ConcurrentHashMap.newKeySet();
    private final LeaseTracing tracing;
    private final boolean lockMemory;
    private final IntFunction<ByteBuffer> allocator;
    private final boolean nativeOk;
    /** Where the units live, or null for ordinary direct buffers; unmapped once closed and every unit is back. */
    private final HugePageArena arena;
    /** Huge-page slabs the units of a plain pool are carved from, as they are needed (guarded by this). */
    private final java.util.List<HugePageArena> slabs = new java.util.ArrayList<>();
    private int allocated;
    private long lockedBytes;
    private boolean lockRefused;
    private int peakInUse;
    private long exhausted;
    private boolean closed;

    /**
     * @param unitSize   size of every unit
     * @param unitCount  most units (1..1048576); memory is allocated as units are first needed
     * @param lockMemory try to mlock the units; if the memlock limit refuses, log a warning naming the limit
     * @param tracing    which leases record the stack where they were taken
     */
    public PinnedBufferPool(UnitSize unitSize, int unitCount, boolean lockMemory, LeaseTracing tracing) {
        this(unitSize, checkedCount(unitCount), lockMemory, tracing, null, null);
    }

    private PinnedBufferPool(UnitSize unitSize, int unitCount, boolean lockMemory, LeaseTracing tracing,
                             HugePageArena arena, IntFunction<ByteBuffer> allocator) {
        this.unitSize = unitSize;
        this.arena = arena;
        this.tracing = tracing;
        this.lockMemory = lockMemory;
        this.allocator = allocator != null ? allocator : this::carveFromSlab;
        this.units = new PinnedUnit[unitCount];
        this.free = new ArrayDeque<>();
        this.nativeOk = LinuxCalls.available();
    }

    /**
     * A pool whose units are carved from a new huge-page arena of {@code unitCount} units, which the pool owns.
     * mlock is still attempted (same as the plain pool): registration pins the pages only if it succeeds, and the
     * pool does not know yet whether it will. Offer {@link #arena()} to {@code BlockDevice.registerBuffers}.
     *
     * @throws IOException when the arena cannot be mapped (the caller can fall back to the plain pool)
     */
    public static PinnedBufferPool inArena(UnitSize unitSize, int unitCount, boolean lockMemory,
                                           LeaseTracing tracing) throws IOException {
        HugePageArena arena = HugePageArena.allocate((long) checkedCount(unitCount) * unitSize.bytes());
        return new PinnedBufferPool(unitSize, unitCount, lockMemory, tracing, arena, arena::carve);
    }

    private static int checkedCount(int unitCount) {
        if (unitCount < 1 || unitCount > 1 << 20) {
            throw new IllegalArgumentException("unit count must be 1..1048576, not " + unitCount);
        }
        return unitCount;
    }

    /** The huge-page arena the units are carved from, or null when they are ordinary direct buffers. */
    public HugePageArena arena() {
        return arena;
    }

    /** A pool of {@code unitCount} units, mlock'ed where possible, tracing where each unit was acquired. */
    public static PinnedBufferPool create(UnitSize unitSize, int unitCount) {
        return new PinnedBufferPool(unitSize, unitCount, true, LeaseTracing.ACQUIRE);
    }

    /** A new unit's memory (under the pool's lock), locked if asked and the limit allows. */
    private PinnedUnit allocate() {
        ByteBuffer memory = allocator.apply(unitSize.bytes());
        long address = nativeOk ? LinuxCalls.address(memory) : 0;
        PinnedUnit unit = new PinnedUnit(this, allocated, memory, address);
        units[allocated++] = unit;
        if (lockMemory && !lockRefused && address != 0) {
            int err = MemoryLocker.lock(address, unitSize.bytes());
            if (err == 0) {
                lockedBytes += unitSize.bytes();
            } else {
                lockRefused = true;
                long limit = MemoryLocker.memlockLimit();
                LOG.warn("pinned pool: mlock refused after {} of up to {} bytes ({}); RLIMIT_MEMLOCK is {}. Units"
                                + " stay usable but may be paged out; raise the limit (ulimit -l, LimitMEMLOCK=) or"
                                + " grant CAP_IPC_LOCK", lockedBytes, (long) units.length * unitSize.bytes(),
                        err < 0 ? "no libc" : LinuxCalls.describe(err),
                        limit == Long.MAX_VALUE ? "unlimited" : limit + " bytes");
            }
        }
        return unit;
    }

    private void unlockAll() {
        long left = lockedBytes;
        for (int i = 0; i < allocated && left > 0; i++) {
            MemoryLocker.unlock(units[i].address, unitSize.bytes());
            left -= unitSize.bytes();
        }
        lockedBytes = 0;
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
            if (unit == null && allocated < units.length) {
                unit = allocate();
            }
            if (unit == null) {
                exhausted++;
                return null;
            }
            peakInUse = Math.max(peakInUse, inUse());
        }
        int incarnation = unit.handOut();
        return new UnitRef(unit, incarnation, tracing == LeaseTracing.NONE ? null : new Throwable("unit taken here"));
    }

    public UnitSize unitSize() {
        return unitSize;
    }

    public synchronized PoolMetrics metrics() {
        int inUse = inUse();
        return new PoolMetrics(unitSize.bytes(), units.length, inUse, units.length - inUse, peakInUse, exhausted,
                liveLeases.size(), lockedBytes);
    }

    private int inUse() {
        return allocated - free.size();
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

    /**
     * Unlocks the memory and reports leaks. Units still leased stay valid until released (then are dropped); an
     * arena is unmapped when the last unit is back and no array has it registered any more.
     */
    @Override
    public void close() {
        boolean allBack;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            allBack = free.size() == allocated;
            unlockAll();
        }
        reportLeaks();
        if (allBack) {
            releaseArena();
        }
    }

    private void releaseArena() {
        if (arena != null) {
            arena.closeWhenUnregistered();
        }
        synchronized (this) {
            slabs.forEach(HugePageArena::closeWhenUnregistered);
            slabs.clear();
        }
    }

    /**
     * A new unit's memory for a plain pool: carved from a huge-page slab of up to {@link #SLAB_BYTES} (a fault per
     * 2 MiB and no JVM zeroing, where a direct buffer per unit costs a fault per 4 KiB page and a memset: a third
     * of a cold 256 MiB read's time when the cache first fills), else an aligned direct buffer.
     */
    private ByteBuffer carveFromSlab(int size) {
        HugePageArena slab = slabs.isEmpty() ? null : slabs.get(slabs.size() - 1);
        if (slab == null || slab.remaining() < size) {
            long want = Math.min(SLAB_BYTES, (long) (units.length - allocated) * size);
            try {
                slab = HugePageArena.allocate(Math.max(want, size));
            } catch (IOException | RuntimeException | LinkageError e) {
                return AlignedBuffers.allocate(size);
            }
            slabs.add(slab);
        }
        return slab.carve(size);
    }

    private static final long SLAB_BYTES = 32L << 20;

    Throwable traceForRetain() {
        return tracing != LeaseTracing.NONE ? new Throwable("lease retained here") : null;
    }

    void track(UnitRef ref) {
        liveLeases.add(ref);
    }

    void untrack(UnitRef ref) {
        liveLeases.remove(ref);
    }

    void giveBack(PinnedUnit unit) {
        boolean lastAfterClose;
        synchronized (this) {
            free.push(unit); // LIFO: the most recently used unit is the most likely to be cache-warm
            lastAfterClose = closed && free.size() == allocated;
        }
        if (lastAfterClose) {
            releaseArena();
        }
    }
}
