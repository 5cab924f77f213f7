package io.ext3ns.bench.stream;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Where the benchmark's streams send: an address, a count of datagrams that arrived, and its own CPU to subtract. */
interface BenchSink extends AutoCloseable {
    /** Which sink (--sink). */
    enum Kind {
        /** a loopback receiver that sleeps when caught up; loopback charges the sender for waking it */
        BLOCKING,
        /** a loopback receiver that polls and is never woken: what a player on another machine costs the sender */
        SPINNING,
        /** a TUN device nobody reads: the whole send path down to the driver, which drops; no delivery at all */
        DEVICE;

        BenchSink open() throws IOException {
            return switch (this) {
                case BLOCKING -> new LoopbackSink(LoopbackSink.Mode.BLOCKING);
                case SPINNING -> new LoopbackSink(LoopbackSink.Mode.SPINNING);
                case DEVICE -> TunDeviceSink.create();
            };
        }
    }

    InetSocketAddress address() throws IOException;

    /** Datagrams that reached the sink so far. */
    long datagrams() throws IOException;

    /** CPU nanoseconds the sink's own threads used so far (to subtract from the process's). */
    long cpuNanos();
}
