package io.ext3ns.stream.nativeio;

import io.ext3ns.sda.AlignedBuffers;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An epoll set of file descriptors, each registered for input with an int of the caller's choosing (returned with
 * its events), for threads that watch many native sockets at once. {@link #add}/{@link #remove} may be called from
 * any thread; {@link #await} and {@link #data} from the one waiting thread.
 */
public final class Epoll implements Closeable {
    private final LibC libc = NativeCalls.libc();
    private final int maxEvents;
    private final ByteBuffer events;
    private final long eventsAddress;
    /** One epoll_event for epoll_ctl, shared by add and remove under this object's lock. */
    private final ByteBuffer control = AlignedBuffers.allocate(64, 64).order(ByteOrder.nativeOrder());
    private final long controlAddress = NativeCalls.address(control);
    private int epfd;

    public Epoll(int maxEvents) throws IOException {
        if (maxEvents < 1 || maxEvents > 4096) {
            throw new IllegalArgumentException("maxEvents must be 1..4096: " + maxEvents);
        }
        this.maxEvents = maxEvents;
        events = AlignedBuffers.allocate(maxEvents * Linux.EPOLL_EVENT_SIZE, 64).order(ByteOrder.nativeOrder());
        eventsAddress = NativeCalls.address(events);
        epfd = libc.epoll_create1(Linux.EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new IOException("epoll_create1: " + NativeCalls.describe(NativeCalls.errno()));
        }
    }

    /** Watches {@code fd} for input; {@link #data} returns {@code data} for its events. */
    public synchronized void add(int fd, int data) throws IOException {
        control.putInt(0, Linux.EPOLLIN);
        control.putLong(Linux.EPOLL_DATA, data);
        if (libc.epoll_ctl(epfd, Linux.EPOLL_CTL_ADD, fd, controlAddress) != 0) {
            throw new IOException("epoll_ctl ADD " + fd + ": " + NativeCalls.describe(NativeCalls.errno()));
        }
    }

    /** Stops watching {@code fd} (closing the fd does that too). */
    public synchronized void remove(int fd) {
        libc.epoll_ctl(epfd, Linux.EPOLL_CTL_DEL, fd, controlAddress);
    }

    /** Waits up to {@code timeoutMillis} for input; returns how many descriptors are ready (0 on time-out). */
    public int await(int timeoutMillis) throws IOException {
        int n = libc.epoll_wait(epfd, eventsAddress, maxEvents, timeoutMillis);
        if (n < 0) {
            int errno = NativeCalls.errno();
            if (errno == Linux.EINTR) {
                return 0;
            }
            throw new IOException("epoll_wait: " + NativeCalls.describe(errno));
        }
        return n;
    }

    /** The data registered with the {@code i}-th ready descriptor of the last {@link #await}. */
    public int data(int i) {
        return (int) events.getLong(i * Linux.EPOLL_EVENT_SIZE + Linux.EPOLL_DATA);
    }

    @Override
    public synchronized void close() {
        if (epfd >= 0) {
            libc.close(epfd);
            epfd = -1;
        }
    }
}
