package io.ext3ns.sda;

import io.ext3ns.sda.uring.LinuxCalls;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;

/**
 * A member file or block device: positional, complete reads and writes, O_DIRECT where the member supports it
 * (then offsets, lengths and buffer addresses must be multiples of 4096), optionally flock-ed against a second open.
 * Block devices and files behave the same. Positional I/O on one channel is safe from several threads at once.
 */
public final class RawMember implements MemberIo {
    private final Path path;
    private final FileChannel channel;
    private final boolean direct;
    private final boolean readOnly;
    private final long size;
    private final MemberLock lock;
    /** A second descriptor for the io_uring engine (the JDK does not expose the channel's), or -1. */
    private final int nativeFd;
    private boolean closed;

    private RawMember(Path path, FileChannel channel, boolean direct, boolean readOnly, MemberLock lock,
                      int nativeFd) throws IOException {
        this.path = path;
        this.channel = channel;
        this.direct = direct;
        this.readOnly = readOnly;
        this.lock = lock;
        this.nativeFd = nativeFd;
        this.size = BlockDeviceSize.of(path, channel);
    }

    /**
     * Opens {@code path} as {@code options} say (read-only, locked, O_DIRECT); with the io_uring engine also a
     * native descriptor for the ring ({@link #nativeDescriptor()}). A read-write open of a member that cannot be
     * written fails here with {@link ReadOnlyMemberException}.
     */
    public static RawMember open(Path path, OpenOptions options) throws IOException {
        if (!options.readOnly()) {
            MemberWritability.requireWritable(path);
        }
        MemberLock lock = options.exclusive() ? MemberLock.acquire(path, options.readOnly()) : null;
        try {
            MemberChannels.Opened opened;
            try {
                opened = MemberChannels.open(path, options.readOnly(), options.directIo());
            } catch (IOException e) {
                throw options.readOnly() ? e : MemberWritability.explainOpenFailure(path, e);
            }
            int nativeFd = -1;
            try {
                if (options.engine().usesRing()) {
                    nativeFd = openNative(path, options.readOnly(), opened.direct());
                }
                return new RawMember(path, opened.channel(), opened.direct(), options.readOnly(), lock, nativeFd);
            } catch (IOException | RuntimeException | LinkageError e) {
                if (nativeFd >= 0) {
                    LinuxCalls.libc().close(nativeFd);
                }
                opened.channel().close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }

    /**
     * {@code path} opened O_DIRECT, unlocked and without a ring descriptor, or null where its file system refuses
     * O_DIRECT (tmpfs before Linux 6.6, some FUSE file systems).
     */
    static RawMember openDirectOrNull(Path path, boolean readOnly) throws IOException {
        FileChannel channel = MemberChannels.openDirectOrNull(path, readOnly);
        if (channel == null) {
            return null;
        }
        try {
            return new RawMember(path, channel, true, readOnly, null, -1);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** -1 where jnr-ffi cannot reach libc: the array then serves this member with threads. */
    private static int openNative(Path path, boolean readOnly, boolean direct) throws IOException {
        LinuxCalls.LibC libc;
        try {
            libc = LinuxCalls.libc();
        } catch (LinkageError e) {
            return -1;
        }
        int flags = (readOnly ? LinuxCalls.O_RDONLY : LinuxCalls.O_RDWR) | LinuxCalls.O_CLOEXEC
                | (direct ? LinuxCalls.O_DIRECT : 0);
        int fd = libc.open(path.toString(), flags);
        if (fd < 0) {
            throw new IOException(path + ": cannot open for io_uring: " + LinuxCalls.describe(LinuxCalls.errno()));
        }
        return fd;
    }

    @Override
    public int nativeDescriptor() {
        return nativeFd;
    }

    /** True when I/O bypasses the page cache (O_DIRECT). */
    public boolean direct() {
        return direct;
    }

    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new EOFException(path + ": unexpected end of member at offset " + pos);
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new ReadOnlyFileSystemException();
        }
        checkRange(offset, src.remaining());
        long pos = offset;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    private void checkRange(long offset, int length) throws IOException {
        if (offset < 0 || offset + length > size) {
            throw new EOFException(path + ": I/O at offset " + offset + " length " + length
                    + " is outside the member (" + size + " bytes)");
        }
    }

    @Override
    public void sync() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (nativeFd >= 0) {
                LinuxCalls.libc().close(nativeFd);
            }
            channel.close();
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }
}
