package io.ext3ns.stream.send;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of a sink. Nothing is dropped silently: a packet the kernel refused for a transient reason (EAGAIN,
 * ENOBUFS) is retried and counted in {@link #retries}; one refused for good is counted in {@link #dropped} with the
 * error in {@link #errors}.
 */
public final class SendStats {
    public final LongAdder packets = new LongAdder();
    public final LongAdder payloadBytes = new LongAdder();
    public final LongAdder syscalls = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder errors = new LongAdder();
    public final LongAdder dropped = new LongAdder();

    @Override
    public String toString() {
        return "packets=" + packets + " bytes=" + payloadBytes + " syscalls=" + syscalls + " retries=" + retries
                + " errors=" + errors + " dropped=" + dropped;
    }
}
