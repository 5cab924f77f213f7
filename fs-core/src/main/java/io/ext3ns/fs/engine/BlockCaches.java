package io.ext3ns.fs.engine;

import io.ext3ns.fs.cache.BlockCache;
import io.ext3ns.fs.cache.LeaseTracing;
import io.ext3ns.fs.cache.PinnedBufferPool;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a volume's block cache gets its units. On an io_uring Stream Disk Array the units are carved from a
 * huge-page arena registered with the array, so every fill goes as READ_FIXED (no per-request page pinning); on any
 * other volume, or when the arena cannot be mapped or registered, they are aligned direct buffers allocated as the
 * cache first needs them. One log line says which.
 */
final class BlockCaches {
    private static final Logger LOG = LoggerFactory.getLogger(BlockCaches.class);
    /** Fewest units, whatever the bound: readers hold a unit while they copy or send from it. */
    static final int MIN_UNITS = 8;
    /** Threads of the one read-ahead pool (fills for the streamer and read-ahead): enough to keep an array busy. */
    static final int IO_THREADS = 2;

    private BlockCaches() {
    }

    /** A cache of about {@code bytes} (the mount's cache=) of whole blocks of {@code io}'s volume. */
    static BlockCache open(BlockIo io, long bytes) {
        UnitSize unit = UnitSize.forBlockSize(io.blockSize());
        int units = (int) Math.max(MIN_UNITS, Math.min(1 << 20, bytes / unit.bytes()));
        return new BlockCache(pool(io.device(), unit, units), IO_THREADS);
    }

    private static PinnedBufferPool pool(BlockDevice device, UnitSize unit, int units) {
        String why = "the volume is not an io_uring Stream Disk Array";
        if (device.canRegisterBuffers()) { // asked first: an arena is touched whole when mapped
            try {
                PinnedBufferPool pool = PinnedBufferPool.inArena(unit, units, false, LeaseTracing.NONE);
                try {
                    if (device.registerBuffers(pool.arena())) {
                        LOG.debug("{}: block cache of {} units of {} bytes in a huge-page arena registered with the"
                                + " io_uring array (fills go as READ_FIXED)", device.name(), units, unit.bytes());
                        return pool;
                    }
                    why = "the array did not take the arena";
                } catch (IOException | RuntimeException e) {
                    why = "the array refused the arena: " + e.getMessage();
                }
                pool.close(); // not registered: unmapped at once
            } catch (IOException | RuntimeException e) {
                why = "no huge-page arena: " + e.getMessage();
            }
        }
        LOG.debug("{}: block cache of up to {} units of {} bytes in direct buffers ({})", device.name(), units,
                unit.bytes(), why);
        return new PinnedBufferPool(unit, units, false, LeaseTracing.NONE);
    }
}
