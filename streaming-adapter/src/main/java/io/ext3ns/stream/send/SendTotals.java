package io.ext3ns.stream.send;

/**
 * An immutable sum of {@link SendStats}: what several sinks (live and ended) have sent, for metrics.
 *
 * @param packets      RTP packets handed to the kernel
 * @param payloadBytes RTP payload bytes handed to the kernel
 * @param syscalls     send system calls made
 * @param retries      transient refusals retried (EAGAIN, ENOBUFS)
 * @param errors       hard send errors
 * @param dropped      packets given up after a hard error
 */
public record SendTotals(long packets, long payloadBytes, long syscalls, long retries, long errors, long dropped) {
    public static final SendTotals ZERO = new SendTotals(0, 0, 0, 0, 0, 0);

    public static SendTotals of(SendStats s) {
        return new SendTotals(s.packets.sum(), s.payloadBytes.sum(), s.syscalls.sum(), s.retries.sum(),
                s.errors.sum(), s.dropped.sum());
    }

    public SendTotals plus(SendTotals o) {
        return new SendTotals(packets + o.packets, payloadBytes + o.payloadBytes, syscalls + o.syscalls,
                retries + o.retries, errors + o.errors, dropped + o.dropped);
    }
}
