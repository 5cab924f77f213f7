package io.ext3ns.sda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Bucket placement (bounds inclusive, as Prometheus's le), the +Inf bucket, the sum, and cumulative snapshots. */
class LatencyHistogramTest {
    private static final long[] BOUNDS = LatencyHistogram.boundsNanos();

    @Test
    void timesLandInTheFirstBucketWhoseBoundHoldsThem() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(BOUNDS[0]);          // on the first bound: within it
        h.record(BOUNDS[0] + 1);      // just above: the second bucket
        h.record(BOUNDS[3]);
        h.record(BOUNDS[BOUNDS.length - 1] + 1); // above every bound: only +Inf
        h.record(-5);                 // cannot happen with nanoTime; counted as 0, not lost
        LatencyHistogram.Snapshot s = h.snapshot();
        long[] expected = new long[BOUNDS.length + 1];
        expected[0] = 2;
        expected[1] = 3;
        expected[2] = 3;
        for (int i = 3; i < BOUNDS.length; i++) {
            expected[i] = 4;
        }
        expected[BOUNDS.length] = 5;
        assertArrayEquals(expected, s.cumulative());
        assertEquals(5, s.count());
        assertEquals(BOUNDS[0] + BOUNDS[0] + 1 + BOUNDS[3] + BOUNDS[BOUNDS.length - 1] + 1, s.sumNanos());
        assertEquals(2, s.within(0));
    }

    @Test
    void aSnapshotIsACopyAndBoundsRise() {
        LatencyHistogram h = new LatencyHistogram();
        LatencyHistogram.Snapshot before = h.snapshot();
        h.record(1_000);
        assertEquals(0, before.count());
        assertEquals(1, h.snapshot().count());
        before.cumulative()[0] = 99;
        assertEquals(0, before.within(0), "the snapshot hands out copies");
        for (int i = 1; i < BOUNDS.length; i++) {
            assertEquals(true, BOUNDS[i] > BOUNDS[i - 1], "bounds rise at " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> new LatencyHistogram.Snapshot(new long[3], 0));
    }
}
