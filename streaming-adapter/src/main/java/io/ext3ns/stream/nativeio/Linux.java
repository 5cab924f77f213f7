package io.ext3ns.stream.nativeio;

/** Linux ABI constants (identical on x86_64 and aarch64) and the struct layouts we build by hand. */
public final class Linux {
    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_UDP = 17;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVBUFFORCE = 33;
    /** Send UDP without checksums; the kernel then refuses GSO (EINVAL), which tests use to exercise the fallback. */
    public static final int SO_NO_CHECK = 11;
    public static final int SOL_UDP = 17;
    /** UDP GSO segment size (kernel 4.18+). */
    public static final int UDP_SEGMENT = 103;
    /** UDP GRO on a receiving socket (kernel 5.0+): a GSO burst arrives as one datagram plus its segment size. */
    public static final int UDP_GRO = 104;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final int EPOLL_CLOEXEC = 0x80000;
    public static final int EPOLL_CTL_ADD = 1;
    public static final int EPOLL_CTL_DEL = 2;
    public static final int EPOLLIN = 1;
    /**
     * struct epoll_event { uint32_t events; epoll_data_t data; }: packed (12 bytes) on x86_64, naturally aligned
     * (16 bytes, data at 8) elsewhere.
     */
    public static final boolean EPOLL_PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    public static final int EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;
    public static final int EPOLL_DATA = EPOLL_PACKED ? 4 : 8;
    public static final int RLIMIT_MEMLOCK = 8;

    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int EMSGSIZE = 90;
    public static final int ENOPROTOOPT = 92;
    public static final int ENOBUFS = 105;
    public static final int ECONNREFUSED = 111;

    /** struct iovec { void *base; size_t len; } */
    public static final int IOVEC_SIZE = 16;
    /** struct msghdr: name, namelen, iov, iovlen, control, controllen, flags (56 bytes on LP64). */
    public static final int MSGHDR_NAME = 0;
    public static final int MSGHDR_NAMELEN = 8;
    public static final int MSGHDR_IOV = 16;
    public static final int MSGHDR_IOVLEN = 24;
    public static final int MSGHDR_CONTROL = 32;
    public static final int MSGHDR_CONTROLLEN = 40;
    public static final int MSGHDR_FLAGS = 48;
    /** struct mmsghdr { struct msghdr hdr; unsigned msg_len; } padded to 64 bytes. */
    public static final int MMSGHDR_SIZE = 64;
    public static final int MMSGHDR_LEN = 56;
    /** struct sockaddr_in: family(2), port(2, big endian), addr(4, big endian), zero(8). */
    public static final int SOCKADDR_IN_SIZE = 16;
    /** cmsghdr { size_t len; int level; int type; } followed by a uint16 segment size: CMSG_LEN(2) / CMSG_SPACE(2). */
    public static final int CMSG_HEADER = 16;
    public static final int CMSG_LEN_U16 = CMSG_HEADER + 2;
    public static final int CMSG_SPACE_U16 = CMSG_HEADER + 8;
    /** CMSG_SPACE(sizeof(int)): room for the UDP_GRO control message recvmsg returns. */
    public static final int CMSG_SPACE_INT = CMSG_HEADER + 8;

    /** Largest UDP payload over IPv4. */
    public static final int MAX_UDP_PAYLOAD = 65_507;
    /** UDP_MAX_SEGMENTS on kernels before 6.x raised it; the safe bound. */
    public static final int MAX_GSO_SEGMENTS = 64;
    /** UIO_MAXIOV. */
    public static final int MAX_IOV = 1024;

    private Linux() {
    }
}
