package io.ext3ns.stream.send;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.stream.nativeio.Linux;
import io.ext3ns.stream.nativeio.NativeCalls;
import io.ext3ns.stream.nativeio.NativeUdpSocket;
import io.ext3ns.fs.cache.UnitRef;
import io.ext3ns.stream.rtp.RtpHeader;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batched path (the analogue of the paper's krtpsendfile without a kernel patch): one native, unconnected UDP
 * socket per scheduler thread. Each session's burst becomes one message — with UDP GSO (UDP_SEGMENT), one
 * super-datagram the kernel cuts into equal RTP packets — and the messages of all sessions due in one scheduler
 * round go out in one sendmmsg. The iovecs point at the 12-byte headers (copied into this sender's native arena) and
 * straight into the pinned units, which stay pinned ({@link UnitRef#pin()}) until the kernel has taken the data. Where the kernel lacks
 * GSO, or a route refuses it (EIO: no checksum offload), each packet is its own message: still sendmmsg-batched.
 * Every queue is a preallocated array, so queuing and flushing allocate nothing per packet. Not thread-safe: owned
 * by one scheduler thread.
 */
public final class BatchedUdpSender implements QueuedSender, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchedUdpSender.class);
    /** Messages per sendmmsg (and queue capacity in messages). */
    public static final int MAX_MESSAGES = 64;
    /** Queue capacity in packets. */
    public static final int MAX_PACKETS = 1024;
    private static final int IOV_PER_PACKET = 3;
    private static final int SEND_BUFFER = 4 << 20;
    private static final int SCRATCH_DATA = 1024;
    /** A burst spans at most two units (64 packets of 1316 bytes < 128 KiB, the smallest unit); room for more. */
    private static final int PINS_PER_MESSAGE = 4;

    private final NativeUdpSocket socket;
    private final RtcpPort rtcp; // server_port + 1: RTCP out, Receiver Reports in
    private final ByteBuffer arena;
    private final long base;
    private final int mmsgAt;
    private final int iovAt;
    private final int headerAt;
    private final int nameAt;
    private final int cmsgAt;
    private final int scratchMsgAt;
    private final int scratchDataAt;

    // per queued message
    private final int[] msgFirstPacket = new int[MAX_MESSAGES];
    private final int[] msgPackets = new int[MAX_MESSAGES];
    private final int[] msgDone = new int[MAX_MESSAGES];
    private final SendStats[] msgStats = new SendStats[MAX_MESSAGES];
    /** Units each queued message points into, pinned until the message is sent or dropped. */
    private final UnitRef[] msgPins = new UnitRef[MAX_MESSAGES * PINS_PER_MESSAGE];
    private final int[] msgPinCount = new int[MAX_MESSAGES];
    // per queued packet
    private final int[] packetIov = new int[MAX_PACKETS];
    private final int[] packetIovCount = new int[MAX_PACKETS];
    private final int[] packetPayload = new int[MAX_PACKETS];

    private int head;
    private int tail;
    private int packetsQueued;
    private int iovsQueued;
    private boolean gso;
    private final SendStats stats = new SendStats();
    private boolean hardErrorLogged;

    /**
     * @param local   address to bind (RTSP's server_port for every session on this thread), null for any
     * @param wantGso use UDP GSO when the kernel supports it
     */
    public BatchedUdpSender(InetSocketAddress local, boolean wantGso) throws IOException {
        if (local != null && local.getPort() != 0) {
            socket = new NativeUdpSocket(local, SEND_BUFFER);
            try {
                rtcp = RtcpPort.bindAt(local.getPort() + 1);
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        } else {
            RtcpPort.Pair<NativeUdpSocket> pair = RtcpPort.pair(() -> new NativeUdpSocket(local, SEND_BUFFER),
                    NativeUdpSocket::localPort);
            socket = pair.rtp();
            rtcp = pair.rtcp();
        }
        gso = wantGso && socket.supportsGso();
        mmsgAt = 0;
        iovAt = mmsgAt + MAX_MESSAGES * Linux.MMSGHDR_SIZE;
        headerAt = iovAt + MAX_PACKETS * IOV_PER_PACKET * Linux.IOVEC_SIZE;
        nameAt = headerAt + MAX_PACKETS * RtpHeader.SIZE;
        cmsgAt = nameAt + MAX_MESSAGES * Linux.SOCKADDR_IN_SIZE;
        scratchMsgAt = cmsgAt + MAX_MESSAGES * Linux.CMSG_SPACE_U16;
        scratchDataAt = scratchMsgAt + Linux.MMSGHDR_SIZE + Linux.IOVEC_SIZE + Linux.SOCKADDR_IN_SIZE;
        arena = AlignedBuffers.allocate(scratchDataAt + SCRATCH_DATA).order(ByteOrder.nativeOrder());
        base = NativeCalls.address(arena);
    }

    /** True while bursts go out as GSO super-datagrams. */
    public boolean gsoActive() {
        return gso;
    }

    public int localPort() throws IOException {
        return socket.localPort();
    }

    /** The RTCP half of this sender's port pair, shared by its sessions. */
    public RtcpPort rtcpPort() {
        return rtcp;
    }

    /** The native socket, for tests that set options on it. */
    NativeUdpSocket socket() {
        return socket;
    }

    /** Syscalls, retries and errors of this sender (packet counts are credited to each sink's own stats). */
    public SendStats stats() {
        return stats;
    }

    /**
     * Queues pending packets of {@code burst} for {@code destination} (a sockaddr_in written by
     * {@link NativeUdpSocket#writeSockaddr}); marks what it took. Takes fewer when the queue is full and a flush
     * could not empty it. Payloads must be in pinned (native) memory.
     */
    void enqueue(ByteBuffer destination, PacketBurst burst, SendStats sinkStats) {
        while (burst.pending() > 0) {
            if (tail == MAX_MESSAGES || packetsQueued == MAX_PACKETS
                    || iovsQueued + IOV_PER_PACKET > MAX_PACKETS * IOV_PER_PACKET) {
                if (!flush() || tail == MAX_MESSAGES) {
                    return;
                }
            }
            burst.markSent(queueMessage(destination, burst, sinkStats));
        }
    }

    /** Builds one message from the burst's next packets; returns how many packets it holds. */
    private int queueMessage(ByteBuffer destination, PacketBurst burst, SendStats sinkStats) {
        int m = tail;
        int first = burst.sent();
        int segmentSize = burst.packetBytes(first);
        int maxSegments = gso ? Math.min(Linux.MAX_GSO_SEGMENTS, Linux.MAX_UDP_PAYLOAD / segmentSize) : 1;
        int taken = 0;
        int bytes = 0;
        msgFirstPacket[m] = packetsQueued;
        int msgIov = iovsQueued;
        while (taken < maxSegments && first + taken < burst.count() && packetsQueued < MAX_PACKETS
                && iovsQueued + IOV_PER_PACKET <= MAX_PACKETS * IOV_PER_PACKET) {
            int p = first + taken;
            int size = burst.packetBytes(p);
            if (size > segmentSize || bytes + size > Linux.MAX_UDP_PAYLOAD) {
                break;
            }
            addPacket(burst, p);
            bytes += size;
            taken++;
            if (size < segmentSize) {
                break; // a short packet can only be the last segment of a GSO message
            }
        }
        long mmsg = base + mmsgAt + (long) m * Linux.MMSGHDR_SIZE;
        int name = nameAt + m * Linux.SOCKADDR_IN_SIZE;
        arena.put(name, destination, 0, Linux.SOCKADDR_IN_SIZE);
        int hdr = (int) (mmsg - base);
        arena.putLong(hdr + Linux.MSGHDR_NAME, base + name);
        arena.putLong(hdr + Linux.MSGHDR_NAMELEN, Linux.SOCKADDR_IN_SIZE);
        arena.putLong(hdr + Linux.MSGHDR_IOV, base + iovAt + (long) msgIov * Linux.IOVEC_SIZE);
        arena.putLong(hdr + Linux.MSGHDR_IOVLEN, iovsQueued - msgIov);
        if (taken > 1) {
            int cmsg = cmsgAt + m * Linux.CMSG_SPACE_U16;
            arena.putLong(cmsg, Linux.CMSG_LEN_U16);
            arena.putInt(cmsg + 8, Linux.SOL_UDP);
            arena.putInt(cmsg + 12, Linux.UDP_SEGMENT);
            arena.putShort(cmsg + Linux.CMSG_HEADER, (short) segmentSize);
            arena.putLong(hdr + Linux.MSGHDR_CONTROL, base + cmsg);
            arena.putLong(hdr + Linux.MSGHDR_CONTROLLEN, Linux.CMSG_SPACE_U16);
        } else {
            arena.putLong(hdr + Linux.MSGHDR_CONTROL, 0);
            arena.putLong(hdr + Linux.MSGHDR_CONTROLLEN, 0);
        }
        arena.putInt(hdr + Linux.MSGHDR_FLAGS, 0);
        arena.putInt(hdr + Linux.MMSGHDR_LEN, 0);
        msgPackets[m] = taken;
        msgDone[m] = 0;
        msgStats[m] = sinkStats;
        int units = burst.pinnedUnits();
        if (units > PINS_PER_MESSAGE) {
            throw new IllegalStateException("a burst spanning " + units + " units");
        }
        for (int u = 0; u < units; u++) {
            UnitRef ref = burst.pinnedUnit(u);
            ref.pin();
            msgPins[m * PINS_PER_MESSAGE + u] = ref;
        }
        msgPinCount[m] = units;
        tail++;
        return taken;
    }

    private void addPacket(PacketBurst burst, int p) {
        int slot = packetsQueued++;
        int header = headerAt + slot * RtpHeader.SIZE;
        arena.put(header, burst.headers(), p * RtpHeader.SIZE, RtpHeader.SIZE);
        packetIov[slot] = iovsQueued;
        putIov(base + header, RtpHeader.SIZE);
        for (int s = 0; s < burst.segments(p); s++) {
            long address = burst.segmentAddress(p, s);
            if (address == 0) {
                throw new IllegalArgumentException("the batched path needs payloads in pinned units, not heap arrays");
            }
            putIov(address, burst.segmentLength(p, s));
        }
        packetIovCount[slot] = iovsQueued - packetIov[slot];
        packetPayload[slot] = burst.payloadBytes(p);
    }

    private void putIov(long address, int length) {
        int at = iovAt + iovsQueued * Linux.IOVEC_SIZE;
        arena.putLong(at, address);
        arena.putLong(at + 8, length);
        iovsQueued++;
    }

    @Override
    public boolean flush() {
        while (head < tail) {
            if (!gso && msgPackets[head] > 1) {
                if (!sendOneByOne(head)) {
                    return false;
                }
                unpinUnits(head++);
                continue;
            }
            stats.syscalls.increment();
            int n = socket.sendmmsg(base + mmsgAt + (long) head * Linux.MMSGHDR_SIZE, tail - head);
            if (n > 0) {
                for (int i = 0; i < n; i++) {
                    credit(head);
                    unpinUnits(head++);
                }
                continue;
            }
            int errno = -n;
            if (isTransient(errno)) {
                stats.retries.increment();
                return false;
            }
            if (gso && msgPackets[head] > 1 && (errno == Linux.EIO || errno == Linux.EINVAL)) {
                gso = false;
                LOG.warn("UDP GSO refused ({}); sending one datagram per packet from now on",
                        NativeCalls.describe(errno));
                continue;
            }
            dropMessage(head++, errno);
        }
        head = 0;
        tail = 0;
        packetsQueued = 0;
        iovsQueued = 0;
        return true;
    }

    /** Sends a queued GSO message packet by packet (after GSO was refused); false if the socket filled up. */
    private boolean sendOneByOne(int m) {
        long src = base + mmsgAt + (long) m * Linux.MMSGHDR_SIZE;
        int msg = scratchMsgAt;
        while (msgDone[m] < msgPackets[m]) {
            int slot = msgFirstPacket[m] + msgDone[m];
            arena.putLong(msg + Linux.MSGHDR_NAME, arena.getLong((int) (src - base) + Linux.MSGHDR_NAME));
            arena.putLong(msg + Linux.MSGHDR_NAMELEN, Linux.SOCKADDR_IN_SIZE);
            arena.putLong(msg + Linux.MSGHDR_IOV, base + iovAt + (long) packetIov[slot] * Linux.IOVEC_SIZE);
            arena.putLong(msg + Linux.MSGHDR_IOVLEN, packetIovCount[slot]);
            arena.putLong(msg + Linux.MSGHDR_CONTROL, 0);
            arena.putLong(msg + Linux.MSGHDR_CONTROLLEN, 0);
            arena.putInt(msg + Linux.MSGHDR_FLAGS, 0);
            stats.syscalls.increment();
            long r = socket.sendmsg(base + msg);
            if (r < 0 && isTransient((int) -r)) {
                stats.retries.increment();
                return false;
            }
            if (r < 0) {
                countHardError((int) -r, 1, msgStats[m]);
            } else {
                msgStats[m].packets.increment();
                msgStats[m].payloadBytes.add(packetPayload[slot]);
            }
            msgDone[m]++;
        }
        return true;
    }

    private static boolean isTransient(int errno) {
        return errno == Linux.EAGAIN || errno == Linux.ENOBUFS || errno == Linux.EINTR;
    }

    /** Credits the packets of a message sendmmsg took to its sink. */
    private void credit(int m) {
        SendStats sink = msgStats[m];
        sink.packets.add(msgPackets[m]);
        for (int i = 0; i < msgPackets[m]; i++) {
            sink.payloadBytes.add(packetPayload[msgFirstPacket[m] + i]);
        }
    }

    private void dropMessage(int m, int errno) {
        countHardError(errno, msgPackets[m] - msgDone[m], msgStats[m]);
        unpinUnits(m);
    }

    private void countHardError(int errno, int packets, SendStats sink) {
        stats.errors.increment();
        sink.errors.increment();
        sink.dropped.add(packets);
        if (!hardErrorLogged) {
            hardErrorLogged = true;
            LOG.warn("batched UDP send failed, {} packet(s) dropped (further errors only counted): {}", packets,
                    NativeCalls.describe(errno));
        }
    }

    private void unpinUnits(int m) {
        for (int u = 0; u < msgPinCount[m]; u++) {
            int at = m * PINS_PER_MESSAGE + u;
            msgPins[at].unpin();
            msgPins[at] = null;
        }
        msgPinCount[m] = 0;
        msgStats[m] = null;
    }

    /** Unpins everything still queued (counted as dropped) and closes the socket. */
    @Override
    public void close() {
        while (head < tail) {
            msgStats[head].dropped.add(msgPackets[head] - msgDone[head]);
            unpinUnits(head++);
        }
        head = 0;
        tail = 0;
        socket.close();
        try {
            rtcp.close();
        } catch (IOException ignored) {
            // closing a datagram channel: nothing to lose
        }
    }
}
