package io.ext3ns.stream.session;

import io.ext3ns.fs.cache.LeaseTracing;
import io.ext3ns.fs.cache.UnitSize;
import java.net.InetSocketAddress;

/**
 * Sizing of a {@link StreamingEngine}.
 *
 * @param unitSize         pinned unit size; a multiple of the file system block size (1 MiB by default)
 * @param poolUnits        pinned units; each playing session holds about two (current and read-ahead), fewer when
 *                         sessions share a title
 * @param schedulerThreads threads that pace and send (each serves any number of sessions)
 * @param ioThreads        threads that read units from the store
 * @param gso              use UDP GSO on the batched path when the kernel supports it
 * @param batchedLocal     local address of the batched path's socket (the RTSP server_port), null for ephemeral;
 *                         with several scheduler threads, thread i binds port + 2i
 * @param lockMemory       mlock the pool where the memlock limit allows
 * @param tracing          which pool leases record where they were taken
 */
public record EngineConfig(UnitSize unitSize, int poolUnits, int schedulerThreads, int ioThreads, boolean gso,
                           InetSocketAddress batchedLocal, boolean lockMemory, LeaseTracing tracing) {
    public EngineConfig {
        if (schedulerThreads < 1 || schedulerThreads > 64 || ioThreads < 1 || ioThreads > 64) {
            throw new IllegalArgumentException("scheduler and I/O threads must be 1..64");
        }
    }

    /** One scheduler thread, two I/O threads, {@code poolUnits} units of {@code unitSize}, GSO on. */
    public static EngineConfig of(UnitSize unitSize, int poolUnits) {
        return new EngineConfig(unitSize, poolUnits, 1, 2, true, null, true, LeaseTracing.ACQUIRE);
    }

    public EngineConfig withGso(boolean on) {
        return new EngineConfig(unitSize, poolUnits, schedulerThreads, ioThreads, on, batchedLocal, lockMemory,
                tracing);
    }

    public EngineConfig withSchedulerThreads(int n) {
        return new EngineConfig(unitSize, poolUnits, n, ioThreads, gso, batchedLocal, lockMemory, tracing);
    }
}
