package io.ext3ns.bench.stream;

import io.ext3ns.stream.session.DataPath;

/**
 * One measured run of one path.
 *
 * @param path          the data path
 * @param cpuNanos      process CPU time minus the loopback receiver's and the benchmark loop's threads
 * @param payloadBytes  RTP payload bytes the sessions sent
 * @param packets       RTP packets sent
 * @param wallNanos     elapsed time
 * @param received      datagrams that reached the sink
 */
record BenchResult(DataPath path, long cpuNanos, long payloadBytes, long packets, long wallNanos,
                   long received) {
    double cpuSecondsPerGb() {
        return cpuNanos / 1e9 / (payloadBytes / 1e9);
    }

    double gbitPerSecond() {
        return payloadBytes * 8 / (double) wallNanos;
    }

    /** Share of sent packets that reached the sink; below 1 a loopback receiver could not keep up. */
    double delivered() {
        return received / (double) packets;
    }
}
