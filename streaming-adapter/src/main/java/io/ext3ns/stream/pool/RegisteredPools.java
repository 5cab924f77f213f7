package io.ext3ns.stream.pool;

import io.ext3ns.fs.api.FileSystem;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the streaming server's units live. On a volume that is an io_uring Stream Disk Array the units are carved
 * from a huge-page arena registered with the array, so every unit read goes as READ_FIXED (no per-request page
 * pinning); on any other volume, or when the arena cannot be mapped or registered, they are today's aligned direct
 * buffers. Either way one log line says which.
 */
public final class RegisteredPools {
    private static final Logger LOG = LoggerFactory.getLogger(RegisteredPools.class);

    private RegisteredPools() {
    }

    /** A pool of {@code unitCount} units for reading {@code fs}'s files, registered with its array where it can be. */
    public static PinnedBufferPool forFileSystem(FileSystem fs, UnitSize unitSize, int unitCount, boolean lockMemory,
                                                 LeaseTracing tracing) {
        String why;
        if (!fs.canRegisterBuffers()) {
            // asked before mapping an arena, which would be touched whole only to be unmapped again
            why = "the volume is not an io_uring Stream Disk Array";
        } else {
            try {
                PinnedBufferPool pool = PinnedBufferPool.inArena(unitSize, unitCount, lockMemory, tracing);
                try {
                    if (fs.registerBuffers(pool.arena())) {
                        LOG.info("streaming pool: {} units of {} bytes in a huge-page arena registered with the "
                                + "io_uring array (unit reads go as READ_FIXED)", unitCount, unitSize.bytes());
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
        LOG.info("streaming pool: {} units of {} bytes in ordinary direct buffers ({})", unitCount, unitSize.bytes(),
                why);
        return new PinnedBufferPool(unitSize, unitCount, lockMemory, tracing);
    }
}
