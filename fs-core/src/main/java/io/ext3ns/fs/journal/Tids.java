package io.ext3ns.fs.journal;

/** Transaction ids are 32-bit and wrap: compare them as JBD2's tid_gt/tid_geq do, by signed difference. */
final class Tids {
    private Tids() {
    }

    static long next(long tid) {
        return (tid + 1) & 0xFFFF_FFFFL;
    }

    /** x is later than y. */
    static boolean after(long x, long y) {
        return (int) (x - y) > 0;
    }

    static boolean atOrAfter(long x, long y) {
        return (int) (x - y) >= 0;
    }
}
