package io.ext3ns.stream.send;

import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters of a sink. Nothing is dropped silently: a packet the kernel refused for a transient reason (EAGAIN,
 * ENOBUFS) is retried and counted in {@link #retries}; one refused for good is counted in {@link #dropped} with the
 * error in {@link #errors}.
 */
public final class SendStats {
    private static final Logger LOG = LoggerFactory.getLogger(SendStats.class);
    public final LongAdder packets = new LongAdder();
    public final LongAdder payloadBytes = new LongAdder();
    public final LongAdder syscalls = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder errors = new LongAdder();
    public final LongAdder dropped = new LongAdder();
    private volatile boolean dropLogged;

    /**
     * Counts an RTP packet dropped after a send error that is final for it (anything but congestion, e.g.
     * ECONNREFUSED after an ICMP port unreachable); the first drop of the sink is logged, the others only counted.
     */
    public void packetDropped(Object destination, String cause) {
        errors.increment();
        dropped.increment();
        if (!dropLogged) {
            dropLogged = true;
            LOG.warn("RTP to {}: packet dropped after send error (further errors only counted): {}", destination,
                    cause);
        }
    }

    @Override
    public String toString() {
        return "packets=" + packets + " bytes=" + payloadBytes + " syscalls=" + syscalls + " retries=" + retries
                + " errors=" + errors + " dropped=" + dropped;
    }
}
