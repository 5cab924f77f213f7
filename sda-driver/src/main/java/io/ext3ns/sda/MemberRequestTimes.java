package io.ext3ns.sda;

/**
 * How long one member's reads and writes took, from submission to the array (queueing included: that is what a
 * caller waits for) to completion. Written by the member's I/O threads when a part succeeds; read by scrapes.
 */
final class MemberRequestTimes {
    final LatencyHistogram reads = new LatencyHistogram();
    final LatencyHistogram writes = new LatencyHistogram();

    /** One completed part of {@code kind} submitted at {@code submittedNanos}; syncs are not timed. */
    void completed(PartIo.Kind kind, long submittedNanos) {
        switch (kind) {
            case READ -> reads.record(System.nanoTime() - submittedNanos);
            case WRITE -> writes.record(System.nanoTime() - submittedNanos);
            case SYNC -> { }
        }
    }

    MemberLatency snapshot(int member) {
        return new MemberLatency(member, reads.snapshot(), writes.snapshot());
    }
}
