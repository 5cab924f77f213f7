package io.ext3ns.bench.stream;

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

/**
 * A draining UDP receiver on loopback for the benchmark: counts bytes and knows its own thread's CPU time.
 *
 * <p>Loopback delivers a datagram in the sender's own system call, so whatever the receiver costs at delivery is
 * charged to the sender. A blocking receiver sleeps whenever it has caught up, and each datagram that finds it asleep
 * costs the sender a wake-up of the other CPU (on this VM an inter-processor interrupt through the hypervisor).
 * A spinning receiver polls without sleeping, so the sender never wakes it: that is what a player on another
 * machine costs the sender, and it is the cost the paths differ in that remains.
 */
final class LoopbackSink implements BenchSink {
    /** How the receiver waits for the next datagram. */
    enum Mode {
        /** blocking receive: sleeps when caught up; the sender pays a wake-up per datagram that finds it asleep */
        BLOCKING,
        /** non-blocking receive polled in a loop: never asleep, so never woken (like a remote player) */
        SPINNING
    }

    private final DatagramChannel channel;
    private final Thread thread;
    private final AtomicLong datagrams = new AtomicLong();
    private volatile boolean running = true;

    LoopbackSink(Mode mode) throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        channel.configureBlocking(mode == Mode.BLOCKING);
        thread = new Thread(this::drain, "bench-loopback-sink");
        thread.setDaemon(true);
        thread.start();
    }

    private void drain() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        while (running) {
            try {
                buf.clear();
                if (channel.receive(buf) == null) {
                    Thread.onSpinWait(); // spinning mode, nothing queued
                    continue;
                }
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

    @Override
    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    @Override
    public long datagrams() {
        return datagrams.get();
    }

    @Override
    public long cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        return Math.max(0, mx.getThreadCpuTime(thread.getId()));
    }

    @Override
    public void close() throws IOException {
        running = false;
        channel.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
