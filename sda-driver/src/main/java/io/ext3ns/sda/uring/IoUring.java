package io.ext3ns.sda.uring;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One io_uring instance through the raw system calls: the submission and completion rings and the SQE array mapped
 * into this process, SQEs filled in place, {@code io_uring_enter} to submit and wait, fixed buffers registered.
 *
 * <p>Not thread-safe: one thread (the engine's ring thread) prepares, submits and reaps; only {@link #close()} may
 * come from another thread once that one has stopped. The kernel is the other party on the rings, so the ring
 * indexes it reads or writes are accessed with acquire/release ordering through a {@link VarHandle} view of the
 * mapped memory: we publish an SQE with a release store of the SQ tail (the SQE bytes before it are visible to the
 * kernel), read the kernel's CQ tail with an acquire load (the CQE bytes it wrote are visible to us), and give the
 * CQEs back with a release store of the CQ head. A VarHandle is the supported Java 17 API for exactly these
 * orderings on a direct buffer; sun.misc.Unsafe would offer only volatile/ordered puts and is unsupported API.
 */
public final class IoUring implements Closeable {
    public static final int OP_NOP = 0;
    public static final int OP_FSYNC = 3;
    public static final int OP_READ_FIXED = 4;
    public static final int OP_WRITE_FIXED = 5;
    public static final int OP_READ = 22;
    public static final int OP_WRITE = 23;
    public static final int FSYNC_DATASYNC = 1;

    public static final int SETUP_SINGLE_ISSUER = 1 << 12;
    public static final int SETUP_DEFER_TASKRUN = 1 << 13;

    private static final long SYS_SETUP = 425;
    private static final long SYS_ENTER = 426;
    private static final long SYS_REGISTER = 427;
    private static final int ENTER_GETEVENTS = 1;
    private static final int REGISTER_BUFFERS = 0;
    private static final int UNREGISTER_BUFFERS = 1;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final long OFF_SQ_RING = 0;
    private static final long OFF_CQ_RING = 0x8000000L;
    private static final long OFF_SQES = 0x10000000L;
    private static final int PARAMS_SIZE = 120;
    private static final int SQE_SIZE = 64;
    private static final int CQE_SIZE = 16;

    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** Receives completions from {@link #reap}. */
    @FunctionalInterface
    public interface CompletionSink {
        void completed(long userData, int result);
    }

    private final LinuxCalls.LibC libc = LinuxCalls.libc();
    private final int fd;
    private final int flags;
    private final Mapping sqRing;
    private final Mapping cqRing;
    private final Mapping sqes;
    private final ByteBuffer sq;
    private final ByteBuffer cq;
    private final ByteBuffer sqeArray;
    private final int sqHead;
    private final int sqTail;
    private final int sqMask;
    private final int sqEntries;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqesAt;
    /** Our copy of the SQ tail: SQEs prepared but not yet published are between the published tail and it. */
    private int localTail;
    private boolean closed;

    private record Mapping(long address, long length) {
    }

    private IoUring(int fd, int flags, ByteBuffer params) throws IOException {
        this.fd = fd;
        this.flags = flags;
        int sqCount = params.getInt(0);
        int cqCount = params.getInt(4);
        int features = params.getInt(20);
        long sqSize = params.getInt(64) + 4L * sqCount;
        long cqSize = params.getInt(100) + (long) CQE_SIZE * cqCount;
        Mapping sqMap = null;
        Mapping cqMap = null;
        try {
            if ((features & FEAT_SINGLE_MMAP) != 0) {
                sqMap = map(Math.max(sqSize, cqSize), OFF_SQ_RING);
                cqMap = sqMap;
            } else {
                sqMap = map(sqSize, OFF_SQ_RING);
                cqMap = map(cqSize, OFF_CQ_RING);
            }
            this.sqes = map((long) SQE_SIZE * sqCount, OFF_SQES);
        } catch (IOException e) {
            unmap(sqMap);
            if (cqMap != sqMap) {
                unmap(cqMap);
            }
            throw e;
        }
        this.sqRing = sqMap;
        this.cqRing = cqMap;
        this.sq = LinuxCalls.view(sqMap.address(), (int) sqMap.length()).order(ByteOrder.nativeOrder());
        this.cq = LinuxCalls.view(cqMap.address(), (int) cqMap.length()).order(ByteOrder.nativeOrder());
        this.sqeArray = LinuxCalls.view(sqes.address(), (int) sqes.length()).order(ByteOrder.nativeOrder());
        this.sqHead = params.getInt(40);
        this.sqTail = params.getInt(44);
        this.sqMask = sq.getInt(params.getInt(48));
        this.sqEntries = sq.getInt(params.getInt(52));
        this.cqHead = params.getInt(80);
        this.cqTail = params.getInt(84);
        this.cqMask = cq.getInt(params.getInt(88));
        this.cqesAt = params.getInt(100);
        // The SQ index array maps ring slot i to SQE i once and for all: we fill SQEs in ring order.
        int array = params.getInt(64);
        for (int i = 0; i < sqEntries; i++) {
            sq.putInt(array + 4 * i, i);
        }
        this.localTail = (int) INT.getAcquire(sq, sqTail);
    }

    /**
     * Creates a ring of at least {@code entries} submission slots with setup {@code flags}.
     *
     * @throws UringUnavailableException when the kernel refuses io_uring_setup (ENOSYS: not built in; EPERM:
     *                                   disabled by sysctl or seccomp; EINVAL: flags not supported), or jnr-ffi
     *                                   cannot reach libc
     */
    public static IoUring open(int entries, int flags) throws IOException {
        LinuxCalls.LibC libc;
        try {
            libc = LinuxCalls.libc();
        } catch (LinkageError e) {
            throw new UringUnavailableException("cannot reach libc through jnr-ffi: " + e, 0);
        }
        ByteBuffer params = ByteBuffer.allocateDirect(PARAMS_SIZE).order(ByteOrder.nativeOrder());
        params.putInt(8, flags);
        long fd = libc.syscall(SYS_SETUP, entries, LinuxCalls.address(params), 0, 0, 0, 0);
        if (fd < 0) {
            int errno = LinuxCalls.errno();
            throw new UringUnavailableException("io_uring_setup: " + LinuxCalls.describe(errno), errno);
        }
        try {
            return new IoUring((int) fd, flags, params);
        } catch (IOException | RuntimeException e) {
            libc.close((int) fd);
            throw e;
        }
    }

    private Mapping map(long length, long offset) throws IOException {
        long address = LinuxCalls.mmap(length, LinuxCalls.PROT_READ | LinuxCalls.PROT_WRITE,
                LinuxCalls.MAP_SHARED | LinuxCalls.MAP_POPULATE, fd, offset);
        if (address == LinuxCalls.MAP_FAILED) {
            throw new IOException("io_uring: mmap of the rings failed: " + LinuxCalls.describe(LinuxCalls.errno()));
        }
        return new Mapping(address, length);
    }

    private void unmap(Mapping mapping) {
        if (mapping != null) {
            libc.munmap(mapping.address(), mapping.length());
        }
    }

    /** Submission slots of the ring. */
    public int entries() {
        return sqEntries;
    }

    /** The setup flags the ring was created with. */
    public int flags() {
        return flags;
    }

    /** SQEs prepared and not yet taken by the kernel. */
    public int unsubmitted() {
        return localTail - (int) INT.getAcquire(sq, sqHead);
    }

    /**
     * Prepares one SQE; it is published to the kernel at once (release store of the tail) and submitted by the
     * next {@link #enter}. Returns false when the submission ring is full.
     */
    public boolean prepare(int opcode, int fileDescriptor, long offset, long address, int length, int opFlags,
                           int bufferIndex, long userData) {
        if (localTail - (int) INT.getAcquire(sq, sqHead) >= sqEntries) {
            return false;
        }
        int at = (localTail & sqMask) * SQE_SIZE;
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqeArray.putLong(at + i, 0L);
        }
        sqeArray.put(at, (byte) opcode);
        sqeArray.putInt(at + 4, fileDescriptor);
        sqeArray.putLong(at + 8, offset);
        sqeArray.putLong(at + 16, address);
        sqeArray.putInt(at + 24, length);
        sqeArray.putInt(at + 28, opFlags);
        sqeArray.putLong(at + 32, userData);
        sqeArray.putShort(at + 40, (short) bufferIndex);
        localTail++;
        INT.setRelease(sq, sqTail, localTail);
        return true;
    }

    /**
     * Submits every published SQE and, with {@code minComplete > 0}, waits until that many completions are in the
     * CQ ring. Retries when interrupted by a signal; EAGAIN/EBUSY (the kernel is short of resources or the CQ is
     * full) return 0 so that the caller reaps and tries again.
     */
    public int enter(int minComplete) throws IOException {
        while (true) {
            long n = libc.syscall(SYS_ENTER, fd, unsubmitted(), minComplete, ENTER_GETEVENTS, 0, 0);
            if (n >= 0) {
                return (int) n;
            }
            int errno = LinuxCalls.errno();
            if (errno == LinuxCalls.EAGAIN || errno == LinuxCalls.EBUSY) {
                return 0;
            }
            if (errno != LinuxCalls.EINTR) {
                throw new IOException("io_uring_enter: " + LinuxCalls.describe(errno));
            }
        }
    }

    /** Hands every completion in the CQ ring to {@code sink} and gives the slots back; returns how many. */
    public int reap(CompletionSink sink) {
        int head = (int) INT.getAcquire(cq, cqHead);
        int tail = (int) INT.getAcquire(cq, cqTail);
        int count = tail - head;
        for (; head != tail; head++) {
            int at = cqesAt + (head & cqMask) * CQE_SIZE;
            long userData = cq.getLong(at);
            int result = cq.getInt(at + 8);
            // Release the slot before running the sink: the sink may prepare and submit more.
            INT.setRelease(cq, cqHead, head + 1);
            sink.completed(userData, result);
        }
        return count;
    }

    /**
     * Registers {@code addresses[i], lengths[i]} as fixed buffers 0..n-1 (pinned once, here, instead of at every
     * request); an earlier registration is replaced.
     */
    public void registerBuffers(long[] addresses, long[] lengths) throws IOException {
        unregisterBuffers();
        if (addresses.length == 0) {
            return;
        }
        ByteBuffer iovecs = ByteBuffer.allocateDirect(16 * addresses.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < addresses.length; i++) {
            iovecs.putLong(16 * i, addresses[i]);
            iovecs.putLong(16 * i + 8, lengths[i]);
        }
        if (libc.syscall(SYS_REGISTER, fd, REGISTER_BUFFERS, LinuxCalls.address(iovecs), addresses.length, 0, 0)
                < 0) {
            throw new IOException("io_uring_register(BUFFERS): " + LinuxCalls.describe(LinuxCalls.errno()));
        }
    }

    private void unregisterBuffers() {
        // ENXIO when none are registered: nothing to undo
        libc.syscall(SYS_REGISTER, fd, UNREGISTER_BUFFERS, 0, 0, 0, 0);
    }

    /** Unmaps the rings and closes the ring; the kernel finishes or cancels what is still in flight. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        unmap(sqes);
        unmap(sqRing);
        if (cqRing != sqRing) {
            unmap(cqRing);
        }
        libc.close(fd);
    }
}
