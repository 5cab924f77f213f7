package io.ext3ns.fs.cache;

/**
 * A snapshot of a pool.
 *
 * @param unitBytes     size of every unit
 * @param total         units allocated (fixed for the pool's life)
 * @param inUse         units with at least one lease
 * @param free          units ready to hand out
 * @param peakInUse     most units in use at once
 * @param exhausted     acquisitions refused because no unit was free
 * @param leases        leases currently outstanding (a shared unit counts once per lease)
 * @param lockedBytes   bytes pinned with mlock (0 when the memlock limit did not allow it)
 */
public record PoolMetrics(int unitBytes, int total, int inUse, int free, int peakInUse, long exhausted, int leases,
                          long lockedBytes) {
}
