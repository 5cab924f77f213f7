package io.ext3ns.stream.shooter;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The virtual players' ears: a few threads, each a selector over many players' RTP sockets, that drain every
 * datagram as it arrives, timestamp it, and keep per-player sequence and RFC 3550 jitter bookkeeping. Many players
 * per thread, as the PseudoPlayer's lightweight clients.
 */
final class ReceiverPool implements Closeable {
    /** What one player heard. Written by its receiver thread only. */
    static final class Ears {
        final DatagramChannel rtp;
        volatile long packets;
        volatile long lost;
        volatile double jitterTicks; // RFC 3550 A.8, in 90 kHz ticks
        private int lastSeq = -1;
        private long lastTransit;
        private boolean haveTransit;

        Ears(DatagramChannel rtp) {
            this.rtp = rtp;
        }

        void onPacket(ByteBuffer packet, long arrivalNanos) {
            if (packet.remaining() < 12 || (packet.get(0) & 0xc0) != 0x80) {
                return;
            }
            int seq = packet.getShort(2) & 0xffff;
            long rtpTime = packet.getInt(4) & 0xffffffffL;
            if (lastSeq >= 0) {
                int gap = (seq - lastSeq - 1) & 0xffff;
                if (gap < 0x8000) {
                    lost += gap;
                }
            }
            lastSeq = seq;
            long transit = arrivalNanos * 9 / 100_000 - rtpTime; // arrival in 90 kHz ticks minus RTP time
            if (haveTransit) {
                long d = Math.abs(transit - lastTransit);
                jitterTicks += (d - jitterTicks) / 16.0;
            }
            lastTransit = transit;
            haveTransit = true;
            packets++;
        }
    }

    private final Worker[] workers;
    private final AtomicInteger next = new AtomicInteger();
    final LongAdder datagrams = new LongAdder();

    ReceiverPool(int threads) throws IOException {
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker("shooter-rx-" + i);
            workers[i].thread.start();
        }
    }

    void add(Ears ears) {
        Worker w = workers[Math.floorMod(next.getAndIncrement(), workers.length)];
        w.incoming.add(ears);
        w.selector.wakeup();
    }

    /** Thread ids of the receiver threads (for CPU accounting). */
    long[] threadIds() {
        long[] ids = new long[workers.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = workers[i].thread.getId();
        }
        return ids;
    }

    @Override
    public void close() throws IOException {
        for (Worker w : workers) {
            w.running = false;
            w.selector.wakeup();
        }
        for (Worker w : workers) {
            try {
                w.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            w.selector.close();
        }
    }

    private final class Worker {
        final Thread thread;
        final Selector selector;
        final ConcurrentLinkedQueue<Ears> incoming = new ConcurrentLinkedQueue<>();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        volatile boolean running = true;

        Worker(String name) throws IOException {
            selector = Selector.open();
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
        }

        private void run() {
            while (running) {
                try {
                    selector.select(100);
                    for (Ears e; (e = incoming.poll()) != null; ) {
                        try {
                            e.rtp.register(selector, SelectionKey.OP_READ, e);
                        } catch (ClosedChannelException closed) {
                            // the player left before its socket was registered
                        }
                    }
                    for (SelectionKey key : selector.selectedKeys()) {
                        drain(key);
                    }
                    selector.selectedKeys().clear();
                } catch (IOException e) {
                    if (running) {
                        System.err.println("shooter: receiver: " + e);
                    }
                }
            }
        }

        private void drain(SelectionKey key) {
            Ears ears = (Ears) key.attachment();
            try {
                while (true) {
                    buffer.clear();
                    if (ears.rtp.receive(buffer) == null) {
                        return;
                    }
                    long now = System.nanoTime();
                    datagrams.increment();
                    ears.onPacket(buffer.flip(), now);
                }
            } catch (IOException e) {
                key.cancel(); // the player closed its socket
            }
        }
    }
}
