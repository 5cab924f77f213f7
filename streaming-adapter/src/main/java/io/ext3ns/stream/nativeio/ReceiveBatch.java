package io.ext3ns.stream.nativeio;

import io.ext3ns.sda.AlignedBuffers;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One recvmmsg of up to {@link #capacity()} datagrams of up to 64 KiB each, with the UDP GRO segment size of each:
 * a socket with {@link NativeUdpSocket#enableGro()} receives a GSO burst as one datagram of equal segments (the last
 * may be shorter) and the kernel says the segment size in a UDP_GRO control message. A datagram without that
 * message is one packet. Reused for every call: receiving allocates nothing. Not thread-safe.
 */
public final class ReceiveBatch {
    /** Room for the largest UDP datagram, so a GRO burst is never truncated. */
    public static final int SLOT_BYTES = 65_536;

    private final int capacity;
    private final ByteBuffer arena;
    /** The same memory in network byte order, for reading the datagrams. */
    private final ByteBuffer data;
    private final long base;
    private final int iovAt;
    private final int controlAt;
    private final int dataAt;
    private final int[] length;
    private final int[] segmentSize;
    private final boolean[] truncated;
    private int received;

    public ReceiveBatch(int capacity) {
        if (capacity < 1 || capacity > 64) {
            throw new IllegalArgumentException("capacity must be 1..64: " + capacity);
        }
        this.capacity = capacity;
        iovAt = capacity * Linux.MMSGHDR_SIZE;
        controlAt = iovAt + capacity * Linux.IOVEC_SIZE;
        dataAt = align(controlAt + capacity * Linux.CMSG_SPACE_INT, 4096);
        arena = AlignedBuffers.allocate(dataAt + capacity * SLOT_BYTES).order(ByteOrder.nativeOrder());
        base = NativeCalls.address(arena);
        data = arena.duplicate().order(ByteOrder.BIG_ENDIAN);
        length = new int[capacity];
        segmentSize = new int[capacity];
        truncated = new boolean[capacity];
        for (int m = 0; m < capacity; m++) {
            int iov = iovAt + m * Linux.IOVEC_SIZE;
            arena.putLong(iov, base + offset(m));
            arena.putLong(iov + 8, SLOT_BYTES);
        }
    }

    private static int align(int n, int to) {
        return (n + to - 1) / to * to;
    }

    public int capacity() {
        return capacity;
    }

    /** Receives what {@code socket} has ready without waiting; returns datagrams received (0: none) or -errno. */
    public int receive(NativeUdpSocket socket) {
        for (int m = 0; m < capacity; m++) {
            int hdr = m * Linux.MMSGHDR_SIZE;
            arena.putLong(hdr + Linux.MSGHDR_NAME, 0);
            arena.putLong(hdr + Linux.MSGHDR_NAMELEN, 0);
            arena.putLong(hdr + Linux.MSGHDR_IOV, base + iovAt + (long) m * Linux.IOVEC_SIZE);
            arena.putLong(hdr + Linux.MSGHDR_IOVLEN, 1);
            arena.putLong(hdr + Linux.MSGHDR_CONTROL, base + controlAt + (long) m * Linux.CMSG_SPACE_INT);
            arena.putLong(hdr + Linux.MSGHDR_CONTROLLEN, Linux.CMSG_SPACE_INT);
            arena.putInt(hdr + Linux.MSGHDR_FLAGS, 0);
            arena.putInt(hdr + Linux.MMSGHDR_LEN, 0);
        }
        int n = socket.recvmmsg(base, capacity);
        if (n == -Linux.EAGAIN) {
            n = 0;
        }
        received = Math.max(0, n);
        for (int m = 0; m < received; m++) {
            int hdr = m * Linux.MMSGHDR_SIZE;
            length[m] = arena.getInt(hdr + Linux.MMSGHDR_LEN);
            truncated[m] = (arena.getInt(hdr + Linux.MSGHDR_FLAGS) & Linux.MSG_TRUNC) != 0;
            segmentSize[m] = groSegmentSize(hdr, controlAt + m * Linux.CMSG_SPACE_INT);
        }
        return n;
    }

    /** The UDP_GRO segment size in message {@code hdr}'s control data, 0 when there is none. */
    private int groSegmentSize(int hdr, int cmsg) {
        long controlLen = arena.getLong(hdr + Linux.MSGHDR_CONTROLLEN);
        if (controlLen < Linux.CMSG_HEADER + 4) {
            return 0;
        }
        long len = arena.getLong(cmsg);
        int level = arena.getInt(cmsg + 8);
        int type = arena.getInt(cmsg + 12);
        if (level != Linux.SOL_UDP || type != Linux.UDP_GRO || len < Linux.CMSG_HEADER + 4) {
            return 0;
        }
        return arena.getInt(cmsg + Linux.CMSG_HEADER);
    }

    /** Datagrams the last {@link #receive} returned. */
    public int received() {
        return received;
    }

    /** The memory all datagrams land in (big-endian); datagram {@code m} is at {@link #offset(int)}. */
    public ByteBuffer data() {
        return data;
    }

    public int offset(int m) {
        return dataAt + m * SLOT_BYTES;
    }

    public int length(int m) {
        return length[m];
    }

    /** GRO segment size of datagram {@code m}; 0 when it is a single packet. */
    public int segmentSize(int m) {
        return segmentSize[m];
    }

    /** True when datagram {@code m} was larger than a slot (cannot happen for UDP, checked anyway). */
    public boolean truncated(int m) {
        return truncated[m];
    }
}
