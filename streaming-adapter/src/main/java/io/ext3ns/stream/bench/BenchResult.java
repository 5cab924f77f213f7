package io.ext3ns.stream.bench;

import io.ext3ns.stream.session.DataPath;

/**
 * One measured run of one path.
 *
 * @param path          the data path
 * @param cpuNanos      process CPU time minus the loopback receiver's and the benchmark loop's threads
 * @param payloadBytes  RTP payload bytes the sessions sent
 * @param packets       RTP packets sent
 * @param wallNanos     elapsed time
 * @param receivedBytes datagram bytes the loopback receiver got (headers included)
 */
record BenchResult(DataPath path, long cpuNanos, long payloadBytes, long packets, long wallNanos,
                   long receivedBytes) {
    double cpuSecondsPerGb() {
        return cpuNanos / 1e9 / (payloadBytes / 1e9);
    }

    double gbitPerSecond() {
        return payloadBytes * 8 / (double) wallNanos;
    }

    /** Share of sent bytes (headers included) the receiver got; below 1 the receiver could not keep up. */
    double delivered() {
        return receivedBytes / (double) (payloadBytes + 12 * packets);
    }
}
