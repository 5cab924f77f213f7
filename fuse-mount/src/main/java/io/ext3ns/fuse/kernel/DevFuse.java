package io.ext3ns.fuse.kernel;

import io.ext3ns.sda.uring.LinuxCalls;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

import java.nio.ByteBuffer;

/**
 * The Linux calls a FUSE server on /dev/fuse needs that the JDK lacks: read/write on the device (whole requests
 * and replies, one call each), the clone ioctl for per-worker queues, mount(2) and umount2(2). Through jnr-ffi,
 * like sda-driver's {@link LinuxCalls} (whose buffer addressing this reuses); memory is always our direct buffers.
 */
final class DevFuse {
    /** libc entry points; errno is saved after every call. */
    @SaveError
    public interface LibC {
        int open(String path, int flags);

        int close(int fd);

        @ssize_t long read(int fd, long buf, @size_t long count);

        @ssize_t long write(int fd, long buf, @size_t long count);

        int ioctl(int fd, long request, long arg);

        int mount(String source, String target, String fsType, long flags, String data);

        int umount2(String target, int flags);

        String strerror(int errno);
    }

    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    /** _IOR(229, 0, uint32_t): attach a new fd to the session of the fd it is given. */
    static final long FUSE_DEV_IOC_CLONE = 0x8004E500L;
    static final int MNT_DETACH = 2;

    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EBUSY = 16;
    static final int ENODEV = 19;

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private DevFuse() {
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    /** errno of this thread's last call through {@link #libc()}. */
    static int errno() {
        return jnr.ffi.Runtime.getRuntime(Holder.LIBC).getLastError();
    }

    static String describe(int errno) {
        return Holder.LIBC.strerror(errno) + " (errno " + errno + ")";
    }

    /** A new /dev/fuse descriptor; throws with the reason when it cannot be opened. */
    static int openDevice() {
        int fd = Holder.LIBC.open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
            throw new IllegalStateException("cannot open /dev/fuse: " + describe(errno()));
        }
        return fd;
    }

    /** A second descriptor on the session of {@code sessionFd}: its own request queue for one worker. */
    static int cloneDevice(int sessionFd, ByteBuffer scratch) {
        int fd = openDevice();
        scratch.order(java.nio.ByteOrder.nativeOrder()).putInt(0, sessionFd);
        if (Holder.LIBC.ioctl(fd, FUSE_DEV_IOC_CLONE, LinuxCalls.address(scratch)) != 0) {
            int e = errno();
            Holder.LIBC.close(fd);
            throw new IllegalStateException("FUSE_DEV_IOC_CLONE failed: " + describe(e));
        }
        return fd;
    }

    /** read(2) into {@code buf} from 0 up to its capacity; the byte count, or -errno. */
    static long read(int fd, ByteBuffer buf) {
        long n = Holder.LIBC.read(fd, LinuxCalls.address(buf), buf.capacity());
        return n < 0 ? -errno() : n;
    }

    /** write(2) of {@code buf}'s first {@code length} bytes; the byte count, or -errno. */
    static long write(int fd, ByteBuffer buf, int length) {
        long n = Holder.LIBC.write(fd, LinuxCalls.address(buf), length);
        return n < 0 ? -errno() : n;
    }
}
