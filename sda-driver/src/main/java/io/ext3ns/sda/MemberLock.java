package io.ext3ns.sda;

import jnr.ffi.LibraryLoader;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A BSD lock (flock) on a member, held until {@link #close()}: exclusive for a read-write open, shared for a
 * read-only one. flock locks belong to an open file description, so a second open is refused even inside the same
 * JVM, and `flock(1)`, udev and other tools see them; fcntl locks (FileChannel.tryLock) would be silently dropped
 * when any other descriptor of the file in the process closes.
 */
final class MemberLock implements Closeable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int LOCK_SH = 1;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int EWOULDBLOCK = 11;

    /** The libc calls we need; loaded on first lock. */
    public interface LibC {
        int open(String path, int flags);

        int flock(int fd, int operation);

        int close(int fd);
    }

    private static final class Native {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private final int fd;

    private MemberLock(int fd) {
        this.fd = fd;
    }

    /** Locks {@code path} or refuses with a message saying it is in use. */
    static MemberLock acquire(Path path, boolean shared) throws IOException {
        LibC libc = Native.LIBC;
        int fd = libc.open(path.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IOException(path + ": cannot open to lock it (errno " + lastError() + ")");
        }
        if (libc.flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
            int errno = lastError();
            libc.close(fd);
            if (errno == EWOULDBLOCK) {
                throw new MemberInUseException(path + " is in use by another EXT3NS mount or tool (it is locked"
                        + (shared ? " for writing" : "") + "); unmount or stop it first");
            }
            throw new IOException(path + ": cannot lock (errno " + errno + ")");
        }
        return new MemberLock(fd);
    }

    private static int lastError() {
        return jnr.ffi.Runtime.getRuntime(Native.LIBC).getLastError();
    }

    @Override
    public void close() {
        Native.LIBC.close(fd);
    }
}
