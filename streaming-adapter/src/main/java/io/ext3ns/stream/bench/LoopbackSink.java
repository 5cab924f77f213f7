package io.ext3ns.stream.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/** A draining UDP receiver on loopback for the benchmark: counts bytes and knows its own thread's CPU time. */
final class LoopbackSink implements AutoCloseable {
    private final DatagramChannel channel;
    private final Thread thread;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong datagrams = new AtomicLong();
    private volatile boolean running = true;

    LoopbackSink() throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::drain, "bench-loopback-sink");
        thread.setDaemon(true);
        thread.start();
    }

    private void drain() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        while (running) {
            try {
                buf.clear();
                channel.receive(buf);
                bytes.addAndGet(buf.position());
                datagrams.incrementAndGet();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    long bytes() {
        return bytes.get();
    }

    long datagrams() {
        return datagrams.get();
    }

    /** CPU nanoseconds the receiving thread used so far (to subtract from the process's). */
    long cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return Math.max(0, mx.getThreadCpuTime(thread.getId()));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        running = false;
        channel.close();
        thread.join(2000);
    }
}
