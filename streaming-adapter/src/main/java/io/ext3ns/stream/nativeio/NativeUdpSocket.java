package io.ext3ns.stream.nativeio;

import io.ext3ns.sda.AlignedBuffers;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An unconnected, non-blocking IPv4 UDP socket created with libc, so sendmmsg and UDP GSO can be used on it (the
 * JDK exposes neither). Not thread-safe: one per scheduler thread.
 */
public final class NativeUdpSocket implements Closeable {
    private final LibC libc = NativeCalls.libc();
    private final ByteBuffer scratch = AlignedBuffers.allocate(64, 64).order(ByteOrder.nativeOrder());
    private final long scratchAddress = NativeCalls.address(scratch);
    private int fd;

    /** Opens a socket bound to {@code local} (null: any address, ephemeral port) with a {@code sendBuffer}. */
    public NativeUdpSocket(InetSocketAddress local, int sendBuffer) throws IOException {
        this(local, Linux.SO_SNDBUFFORCE, Linux.SO_SNDBUF, sendBuffer);
    }

    /** A socket for receiving, bound to {@code local}, with a {@code receiveBuffer}. */
    public static NativeUdpSocket receiving(InetSocketAddress local, int receiveBuffer) throws IOException {
        return new NativeUdpSocket(local, Linux.SO_RCVBUFFORCE, Linux.SO_RCVBUF, receiveBuffer);
    }

    private NativeUdpSocket(InetSocketAddress local, int forcedBufferOption, int bufferOption, int bufferBytes)
            throws IOException {
        fd = libc.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("socket: " + NativeCalls.describe(NativeCalls.errno()));
        }
        try {
            // the FORCE option passes rmem/wmem_max when we may (CAP_NET_ADMIN); otherwise the capped one
            if (setIntOption(Linux.SOL_SOCKET, forcedBufferOption, bufferBytes) != 0) {
                setIntOption(Linux.SOL_SOCKET, bufferOption, bufferBytes);
            }
            InetSocketAddress bindTo = local == null ? new InetSocketAddress(0) : local;
            writeSockaddr(scratch, 0, bindTo);
            if (libc.bind(fd, scratchAddress, Linux.SOCKADDR_IN_SIZE) != 0) {
                throw new IOException("bind " + bindTo + ": " + NativeCalls.describe(NativeCalls.errno()));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public int fd() {
        return fd;
    }

    /** setsockopt with an int value; returns 0 or the errno. */
    public int setIntOption(int level, int name, int value) {
        scratch.putInt(32, value);
        return libc.setsockopt(fd, level, name, scratchAddress + 32, 4) == 0 ? 0 : NativeCalls.errno();
    }

    /** Whether the kernel knows UDP_SEGMENT (GSO) for this socket: getsockopt answers instead of ENOPROTOOPT. */
    public boolean supportsGso() {
        scratch.putInt(32, 0);
        scratch.putInt(40, 4);
        return libc.getsockopt(fd, Linux.SOL_UDP, Linux.UDP_SEGMENT, scratchAddress + 32, scratchAddress + 40) == 0;
    }

    /** Connects to {@code remote}: sends then need no address, and an ICMP error comes back as ECONNREFUSED. */
    public void connect(InetSocketAddress remote) throws IOException {
        writeSockaddr(scratch, 0, remote);
        if (libc.connect(fd, scratchAddress, Linux.SOCKADDR_IN_SIZE) != 0) {
            throw new IOException("connect " + remote + ": " + NativeCalls.describe(NativeCalls.errno()));
        }
    }

    public int localPort() throws IOException {
        scratch.putInt(40, Linux.SOCKADDR_IN_SIZE);
        if (libc.getsockname(fd, scratchAddress, scratchAddress + 40) != 0) {
            throw new IOException("getsockname: " + NativeCalls.describe(NativeCalls.errno()));
        }
        return ((scratch.get(2) & 0xff) << 8) | (scratch.get(3) & 0xff); // sin_port, network order
    }

    /** sendmmsg over {@code count} mmsghdrs at {@code address}; returns messages sent or -errno. */
    public int sendmmsg(long address, int count) {
        int n = libc.sendmmsg(fd, address, count, 0);
        return n >= 0 ? n : -NativeCalls.errno();
    }

    /**
     * Asks the kernel to hand a GSO burst to this socket as one datagram (UDP_GRO), with the segment size in a
     * control message; returns 0 or the errno (ENOPROTOOPT on kernels before 5.0).
     */
    public int enableGro() {
        return setIntOption(Linux.SOL_UDP, Linux.UDP_GRO, 1);
    }

    /** Non-blocking recvmmsg into {@code count} mmsghdrs at {@code address}; returns messages or -errno. */
    public int recvmmsg(long address, int count) {
        int n = libc.recvmmsg(fd, address, count, Linux.MSG_DONTWAIT, 0);
        return n >= 0 ? n : -NativeCalls.errno();
    }

    /** sendmsg of the msghdr at {@code address}; returns bytes sent or -errno. */
    public long sendmsg(long address) {
        long n = libc.sendmsg(fd, address, 0);
        return n >= 0 ? n : -NativeCalls.errno();
    }

    /** Writes a sockaddr_in for an IPv4 address at {@code index} (port and address in network order). */
    public static void writeSockaddr(ByteBuffer dst, int index, InetSocketAddress address) {
        if (!(address.getAddress() instanceof Inet4Address) && !address.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("only IPv4 destinations are supported: " + address);
        }
        byte[] ip = address.getAddress() instanceof Inet4Address ? address.getAddress().getAddress() : new byte[4];
        ByteOrder saved = dst.order();
        dst.order(ByteOrder.nativeOrder()).putShort(index, (short) Linux.AF_INET);
        dst.order(ByteOrder.BIG_ENDIAN).putShort(index + 2, (short) address.getPort());
        for (int i = 0; i < 4; i++) {
            dst.put(index + 4 + i, ip[i]);
        }
        dst.putLong(index + 8, 0);
        dst.order(saved);
    }

    @Override
    public void close() {
        if (fd >= 0) {
            libc.close(fd);
            fd = -1;
        }
    }
}
