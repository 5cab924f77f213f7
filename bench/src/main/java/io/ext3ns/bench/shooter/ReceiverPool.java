package io.ext3ns.bench.shooter;

import io.ext3ns.stream.nativeio.Epoll;
import io.ext3ns.stream.nativeio.Linux;
import io.ext3ns.stream.nativeio.NativeCalls;
import io.ext3ns.stream.nativeio.NativeUdpSocket;
import io.ext3ns.stream.nativeio.ReceiveBatch;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The virtual players' ears: a few threads, each an epoll set over many players' native RTP sockets, that drain
 * every datagram with recvmmsg as it arrives, timestamp it, and keep per-player sequence and RFC 3550 jitter
 * bookkeeping. Many players per thread, as the PseudoPlayer's lightweight clients.
 *
 * <p>With {@code gro} the sockets ask for UDP GRO: a GSO burst from the server's batched path arrives as one
 * datagram that {@link GroSegments} cuts back into its RTP packets, each counted as before. That models a remote
 * player, whose receive work is not on our CPU: on loopback the kernel otherwise segments every burst and queues
 * each 1328-byte packet to the player's socket on the sender's CPU time. The server's send path is the same either
 * way. Without {@code gro} (or where the kernel refuses it) every packet is its own datagram, still batched by
 * recvmmsg.
 */
final class ReceiverPool implements Closeable {
    private static final int RECEIVE_BUFFER = 256 * 1024;
    private static final int BATCH = 16;

    /** What one player heard. Written by its receiver thread only. */
    static final class Ears implements GroSegments.PacketListener {
        final NativeUdpSocket socket;
        volatile long packets;
        volatile long lost;
        volatile double jitterTicks; // RFC 3550 A.8, in 90 kHz ticks
        private int lastSeq = -1;
        private long lastTransit;
        private boolean haveTransit;
        private int slot = -1;
        private Worker owner;

        Ears(NativeUdpSocket socket) {
            this.socket = socket;
        }

        int port() throws IOException {
            return socket.localPort();
        }

        @Override
        public void onPacket(ByteBuffer data, int at, int length, long arrivalNanos) {
            if (length < 12 || (data.get(at) & 0xc0) != 0x80) {
                return;
            }
            int seq = data.getShort(at + 2) & 0xffff;
            long rtpTime = data.getInt(at + 4) & 0xffffffffL;
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
    private final boolean gro;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean groRefused;
    /** Datagrams received (with GRO a burst counts once) and RTP packets cut out of them. */
    final LongAdder datagrams = new LongAdder();
    final LongAdder packets = new LongAdder();

    /** @param gro ask the kernel for UDP GRO on every player socket */
    ReceiverPool(int threads, boolean gro) throws IOException {
        this.gro = gro;
        workers = new Worker[threads];
        try {
            for (int i = 0; i < threads; i++) {
                workers[i] = new Worker("shooter-rx-" + i);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        for (Worker w : workers) {
            w.thread.start();
        }
    }

    /** A new player socket bound to {@code host}, watched by one of the threads. */
    Ears open(String host) throws IOException {
        NativeUdpSocket socket = NativeUdpSocket.receiving(new InetSocketAddress(host, 0), RECEIVE_BUFFER);
        if (gro && socket.enableGro() != 0) {
            groRefused = true;
        }
        Ears ears = new Ears(socket);
        ears.owner = workers[Math.floorMod(next.getAndIncrement(), workers.length)];
        ears.owner.incoming.add(ears);
        return ears;
    }

    /** Stops hearing {@code ears} and closes its socket (on its receiver thread, so no receive races the close). */
    void retire(Ears ears) {
        ears.owner.retiring.add(ears);
    }

    /** True when the players receive GSO bursts whole (UDP GRO asked for and granted). */
    boolean groActive() {
        return gro && !groRefused;
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
    public void close() {
        for (Worker w : workers) {
            if (w != null) {
                w.running = false;
            }
        }
        for (Worker w : workers) {
            if (w == null) {
                continue;
            }
            try {
                w.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            w.closeAll();
        }
    }

    private final class Worker {
        final Thread thread;
        final Epoll epoll = new Epoll(256);
        final ReceiveBatch batch = new ReceiveBatch(BATCH);
        final ConcurrentLinkedQueue<Ears> incoming = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Ears> retiring = new ConcurrentLinkedQueue<>();
        final java.util.Set<Ears> members = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private Ears[] slots = new Ears[64];
        private int free;
        volatile boolean running = true;

        Worker(String name) throws IOException {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
        }

        private void run() {
            while (running) {
                try {
                    admit();
                    int ready = epoll.await(50);
                    for (int i = 0; i < ready; i++) {
                        Ears e = slots[epoll.data(i)];
                        if (e != null) {
                            drain(e);
                        }
                    }
                    retire();
                } catch (IOException e) {
                    if (running) {
                        System.err.println("shooter: receiver: " + e);
                    }
                }
            }
        }

        private void admit() throws IOException {
            for (Ears e; (e = incoming.poll()) != null; ) {
                while (free < slots.length && slots[free] != null) {
                    free++;
                }
                if (free == slots.length) {
                    slots = Arrays.copyOf(slots, slots.length * 2);
                }
                e.slot = free;
                slots[free] = e;
                members.add(e);
                epoll.add(e.socket.fd(), e.slot);
            }
        }

        private void retire() {
            for (Ears e; (e = retiring.poll()) != null; ) {
                unregister(e);
            }
        }

        private void unregister(Ears e) {
            if (e.slot >= 0) {
                epoll.remove(e.socket.fd());
                slots[e.slot] = null;
                free = Math.min(free, e.slot);
                e.slot = -1;
            }
            members.remove(e);
            e.socket.close();
        }

        /** Reads everything the socket holds; a batch that comes back full means there may be more. */
        private void drain(Ears ears) {
            while (true) {
                int n = batch.receive(ears.socket);
                if (n <= 0) {
                    if (n < 0 && n != -Linux.EINTR) {
                        System.err.println("shooter: receive: " + NativeCalls.describe(-n));
                        unregister(ears);
                    }
                    return;
                }
                long now = System.nanoTime();
                datagrams.add(n);
                ByteBuffer data = batch.data();
                for (int m = 0; m < n; m++) {
                    packets.add(GroSegments.split(data, batch.offset(m), batch.length(m), batch.segmentSize(m), now,
                            ears));
                }
                if (n < batch.capacity()) {
                    return;
                }
            }
        }

        /** After the thread stopped: closes every socket it had or was about to get. */
        void closeAll() {
            for (Ears e; (e = incoming.poll()) != null; ) {
                e.socket.close();
            }
            retire();
            for (Ears e : members.toArray(Ears[]::new)) {
                unregister(e);
            }
            epoll.close();
        }
    }
}
