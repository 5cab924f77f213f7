package io.ext3ns.sda;

import io.ext3ns.sda.uring.IoUring;
import io.ext3ns.sda.uring.LinuxCalls;
import io.ext3ns.sda.uring.UringUnavailableException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The io_uring engine of one array: one ring and one ring thread that alone prepares SQEs, submits, waits and reaps
 * (so the ring can be single-issuer with deferred task work: completions are processed when the ring thread asks
 * for them, with no interrupts of other threads). Callers hand parts over through a lock-free queue and wake the
 * ring thread through an eventfd only when it is asleep in io_uring_enter; an eventfd read is always armed in the
 * ring, so that wake-up is just another completion.
 *
 * <p>Per member at most {@code limit} parts are in the ring (the paper's pipelining); the next is prepared as one
 * completes and submitted in the same io_uring_enter that waits for the next completion. Buffers inside a
 * registered {@link HugePageArena} go as READ_FIXED/WRITE_FIXED, others as plain READ/WRITE; a sync is
 * FSYNC(DATASYNC). A failed completion fails only its part's request, naming the member and offset. Short
 * transfers are continued; a read of 0 bytes is an unexpected end of member.
 */
final class UringEngine implements AutoCloseable {
    /** user_data of the armed eventfd read; parts use their slot index. */
    private static final long WAKE = -1L;

    /** Creates the ring (inside the ring thread, which must be its only issuer). */
    @FunctionalInterface
    interface RingOpener {
        IoUring open(int entries) throws IOException;
    }

    /** Single issuer with deferred task work where the kernel has it (6.1+), else a plain ring. */
    static final RingOpener DEFAULT_OPENER = entries -> {
        try {
            return IoUring.open(entries, IoUring.SETUP_SINGLE_ISSUER | IoUring.SETUP_DEFER_TASKRUN);
        } catch (UringUnavailableException e) {
            if (e.errno() != LinuxCalls.EINVAL) {
                throw e;
            }
            return IoUring.open(entries, 0);
        }
    };

    /** One part in the ring: where its transfer stands (a short transfer continues from there). */
    private static final class InFlight {
        UringMemberQueue queue;
        PartIo part;
        long offset;
        long address;
        int remaining;
    }

    private final String name;
    private final List<UringMemberQueue> queues = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private final ArrayIoThread thread;
    private final RingOpener opener;
    private volatile boolean closing;

    // Ring thread state.
    private IoUring ring;
    private int eventFd = -1;
    private final ByteBuffer wakeCounter = ByteBuffer.allocateDirect(8);
    private final InFlight[] slots;
    private final int[] freeSlots;
    private int freeCount;
    private int inFlightParts;
    private final List<HugePageArena> arenas = new ArrayList<>();
    private final List<HugePageArena> toRegister = new ArrayList<>();
    private final List<CompletableFuture<Void>> registrations = new ArrayList<>();
    private long[] fixedBases = new long[0];
    private long[] fixedSizes = new long[0];
    /** Transfers issued as READ_FIXED/WRITE_FIXED and as plain READ/WRITE (ring thread writes, anyone reads). */
    private volatile long fixedTransfers;
    private volatile long plainTransfers;

    /**
     * Starts the ring thread for the members that have a native descriptor; {@link #queueFor} gives their queues.
     *
     * @throws UringUnavailableException when the ring cannot be created (the array then uses threads)
     */
    UringEngine(String name, List<? extends MemberIo> members, int limit, RingOpener opener) throws IOException {
        if (limit < 1) {
            throw new IllegalArgumentException("at least one request in flight per member: " + limit);
        }
        this.name = name;
        this.opener = opener;
        for (MemberIo member : members) {
            queues.add(member.nativeDescriptor() >= 0 ? new UringMemberQueue(this, member, limit) : null);
        }
        int capacity = (int) queues.stream().filter(q -> q != null).count() * limit;
        slots = new InFlight[capacity];
        freeSlots = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            slots[i] = new InFlight();
            freeSlots[freeCount++] = i;
        }
        thread = new ArrayIoThread(this::run, "sda-ring-" + name);
        thread.start();
        try {
            started.join();
        } catch (CompletionException e) {
            thread.joinUninterruptibly();
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new UringUnavailableException("io_uring: " + e.getCause(), 0);
        }
    }

    /** The queue of member {@code index}, or null when that member has no native descriptor. */
    MemberQueue queueFor(int index) {
        return queues.get(index);
    }

    /** Member transfers issued so far: {fixed-buffer, plain}. */
    long[] transferCounts() {
        return new long[] {fixedTransfers, plainTransfers};
    }

    /** Hands {@code part} to the ring thread. */
    void submit(UringMemberQueue queue, PartIo part) {
        synchronized (this) {
            if (closing) {
                part.reject(new IOException(queue.member + ": the array is closed"));
                return;
            }
            queue.depth.incrementAndGet();
            incoming.add(() -> queue.waiting.add(part));
        }
        wake();
    }

    /** Wakes the ring thread if it sleeps in io_uring_enter (it drains the hand-over queue before sleeping). */
    private void wake() {
        if (Thread.currentThread() != thread && sleeping.compareAndSet(true, false)) {
            LinuxCalls.libc().eventfd_write(eventFd, 1);
        }
    }

    /**
     * Registers {@code arena} as a fixed buffer of the ring (with those registered before): from then on parts
     * whose bytes lie inside it go as READ_FIXED/WRITE_FIXED. The ring thread does it between requests (new parts
     * wait until the ring is idle), so no fixed transfer is in flight while the table changes.
     */
    void register(HugePageArena arena) throws IOException {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("register buffers from outside a completion callback");
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            if (closing) {
                throw new IOException(name + ": the array is closed");
            }
            incoming.add(() -> {
                toRegister.add(arena);
                registrations.add(done);
            });
        }
        wake();
        try {
            done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private void run() {
        try {
            ring = opener.open(Math.max(8, Integer.highestOneBit(slots.length + 1) * 2));
            eventFd = LinuxCalls.libc().eventfd(0, LinuxCalls.EFD_CLOEXEC);
            if (eventFd < 0) {
                throw new UringUnavailableException("eventfd: " + LinuxCalls.describe(LinuxCalls.errno()),
                        LinuxCalls.errno());
            }
            armWake();
        } catch (Throwable t) {
            shutDown();
            started.completeExceptionally(t);
            return;
        }
        started.complete(null);
        Throwable fatal = null;
        try {
            serve();
        } catch (Throwable t) {
            fatal = t;
        } finally {
            failEverything(fatal);
            shutDown();
        }
    }

    private void serve() throws IOException {
        while (true) {
            for (Runnable handOver; (handOver = incoming.poll()) != null; ) {
                handOver.run();
            }
            if (!toRegister.isEmpty() && inFlightParts == 0) {
                registerPending();
            }
            if (toRegister.isEmpty()) {
                issueReady();
            }
            if (closing && inFlightParts == 0 && incoming.isEmpty() && nothingWaiting()) {
                return;
            }
            sleeping.set(true);
            ring.enter(incoming.isEmpty() ? 1 : 0);
            sleeping.set(false);
            ring.reap(this::completed);
        }
    }

    private boolean nothingWaiting() {
        for (UringMemberQueue q : queues) {
            if (q != null && !q.waiting.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Fills every member's free in-flight places from its queue. */
    private void issueReady() {
        for (UringMemberQueue q : queues) {
            while (q != null && q.inFlight < q.limit && !q.waiting.isEmpty()) {
                PartIo part = q.waiting.poll();
                if (part.skipIfRequestFailed()) {
                    q.depth.decrementAndGet();
                    continue;
                }
                int slot = freeSlots[--freeCount];
                InFlight s = slots[slot];
                s.queue = q;
                s.part = part;
                s.offset = part.memberOffset();
                ByteBuffer bytes = part.slice();
                s.address = bytes == null ? 0 : LinuxCalls.address(bytes) + bytes.position();
                s.remaining = bytes == null ? 0 : bytes.remaining();
                q.inFlight++;
                inFlightParts++;
                prepare(slot);
            }
        }
    }

    private void prepare(int slot) {
        InFlight s = slots[slot];
        int fd = s.queue.fd;
        boolean ok;
        switch (s.part.kind()) {
            case SYNC -> ok = ring.prepare(IoUring.OP_FSYNC, fd, 0, 0, 0, IoUring.FSYNC_DATASYNC, 0, slot);
            case READ, WRITE -> {
                boolean read = s.part.kind() == PartIo.Kind.READ;
                int fixed = fixedIndex(s.address, s.remaining);
                int op;
                if (fixed >= 0) {
                    op = read ? IoUring.OP_READ_FIXED : IoUring.OP_WRITE_FIXED;
                    fixedTransfers++;
                } else {
                    op = read ? IoUring.OP_READ : IoUring.OP_WRITE;
                    plainTransfers++;
                }
                ok = ring.prepare(op, fd, s.offset, s.address, s.remaining, 0, Math.max(fixed, 0), slot);
            }
            default -> throw new IllegalStateException("unknown part kind " + s.part.kind());
        }
        if (!ok) {
            // Cannot happen: the ring has more entries than members x limit + the wake-up read.
            throw new IllegalStateException(name + ": io_uring submission ring full");
        }
    }

    /** Index of the registered arena holding {@code length} bytes at {@code address}, or -1. */
    private int fixedIndex(long address, long length) {
        for (int i = 0; i < fixedBases.length; i++) {
            if (address >= fixedBases[i] && address + length <= fixedBases[i] + fixedSizes[i]) {
                return i;
            }
        }
        return -1;
    }

    private void completed(long userData, int result) {
        if (userData == WAKE) {
            armWake();
            return;
        }
        int slot = (int) userData;
        InFlight s = slots[slot];
        if (result < 0) {
            finish(slot, new IOException(LinuxCalls.describe(-result)));
        } else if (s.part.kind() == PartIo.Kind.SYNC || result >= s.remaining) {
            finish(slot, null);
        } else if (result == 0) {
            finish(slot, new EOFException(s.queue.member + ": unexpected end of member at offset " + s.offset));
        } else {
            s.offset += result;
            s.address += result;
            s.remaining -= result;
            prepare(slot);
        }
    }

    private void finish(int slot, Throwable cause) {
        InFlight s = slots[slot];
        UringMemberQueue q = s.queue;
        PartIo part = s.part;
        s.queue = null;
        s.part = null;
        freeSlots[freeCount++] = slot;
        q.inFlight--;
        inFlightParts--;
        q.depth.decrementAndGet();
        part.finish(q.member, cause);
    }

    private void armWake() {
        if (!ring.prepare(IoUring.OP_READ, eventFd, 0, LinuxCalls.address(wakeCounter), 8, 0, 0, WAKE)) {
            throw new IllegalStateException(name + ": io_uring submission ring full");
        }
    }

    private void registerPending() {
        List<HugePageArena> all = new ArrayList<>(arenas);
        all.addAll(toRegister);
        long[] bases = all.stream().mapToLong(HugePageArena::address).toArray();
        long[] sizes = all.stream().mapToLong(HugePageArena::size).toArray();
        try {
            ring.registerBuffers(bases, sizes);
            toRegister.forEach(HugePageArena::registered);
            arenas.addAll(toRegister);
            fixedBases = bases;
            fixedSizes = sizes;
            registrations.forEach(f -> f.complete(null));
        } catch (IOException e) {
            registrations.forEach(f -> f.completeExceptionally(e));
            restoreRegistration();
        }
        toRegister.clear();
        registrations.clear();
    }

    /** After a refused registration, the arenas registered before stay usable. */
    private void restoreRegistration() {
        try {
            ring.registerBuffers(fixedBases, fixedSizes);
        } catch (IOException e) {
            fixedBases = new long[0];
            fixedSizes = new long[0];
        }
    }

    /** After a fatal ring error: every part not yet finished fails, and later submissions are refused. */
    private void failEverything(Throwable fatal) {
        synchronized (this) {
            closing = true;
        }
        if (fatal == null) {
            return;
        }
        IOException why = new IOException(name + ": the io_uring engine stopped: " + fatal, fatal);
        for (Runnable handOver; (handOver = incoming.poll()) != null; ) {
            handOver.run();
        }
        for (UringMemberQueue q : queues) {
            for (PartIo part; q != null && (part = q.waiting.poll()) != null; ) {
                q.depth.decrementAndGet();
                part.finish(q.member, why);
            }
        }
        // The ring is closed next: the kernel finishes or cancels what it holds; nothing more will complete here.
        for (int slot = 0; slot < slots.length; slot++) {
            if (slots[slot].part != null) {
                finish(slot, why);
            }
        }
        registrations.forEach(f -> f.completeExceptionally(why));
    }

    private void shutDown() {
        if (ring != null) {
            ring.close();
        }
        if (eventFd >= 0) {
            LinuxCalls.libc().close(eventFd);
        }
        arenas.forEach(HugePageArena::unregistered);
        arenas.clear();
    }

    /** Lets queued parts finish, then stops the ring thread and closes the ring. */
    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                thread.joinUninterruptibly();
                return;
            }
            closing = true;
        }
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException("closing an array from its own completion callback would wait for itself");
        }
        // Unconditionally: the armed eventfd read completes even if the ring thread is not asleep yet.
        LinuxCalls.libc().eventfd_write(eventFd, 1);
        thread.joinUninterruptibly();
    }
}
