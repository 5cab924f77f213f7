package io.ext3ns.stream.nativeio;

import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls the JDK does not offer: sendmmsg, UDP GSO through sendmsg control messages, mlock, for
 * the shooter's players recvmmsg with UDP GRO and epoll, and datagrams on AF_UNIX sockets (systemd's notify socket).
 * Every pointer is passed as a raw address ({@code long}) into memory we own (direct buffers), so no marshalling
 * happens per call. Only valid on 64-bit Linux, which {@link NativeCalls} checks.
 */
@SaveError
public interface LibC {
    int socket(int domain, int type, int protocol);

    int bind(int fd, long sockaddr, int addrlen);

    int connect(int fd, long sockaddr, int addrlen);

    int getsockname(int fd, long sockaddr, long addrlenPtr);

    int setsockopt(int fd, int level, int optname, long optval, int optlen);

    int getsockopt(int fd, int level, int optname, long optval, long optlenPtr);

    @ssize_t long sendmsg(int fd, long msghdr, int flags);

    @ssize_t long send(int fd, long buf, @size_t long len, int flags);

    @ssize_t long recv(int fd, long buf, @size_t long len, int flags);

    int sendmmsg(int fd, long mmsghdrs, int vlen, int flags);

    int recvmmsg(int fd, long mmsghdrs, int vlen, int flags, long timeout);

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, long event);

    int epoll_wait(int epfd, long events, int maxevents, int timeoutMillis);

    int close(int fd);

    int mlock(long addr, @size_t long len);

    int munlock(long addr, @size_t long len);

    int getrlimit(int resource, long rlimit);

    String strerror(int errnum);
}
