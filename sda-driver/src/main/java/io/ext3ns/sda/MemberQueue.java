package io.ext3ns.sda;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pipelined I/O manager's queue for one member: parts wait here in arrival order and a fixed number of
 * in-flight slots (2 by default, the paper's pipelining) take the next part as soon as theirs completes. One thread
 * per slot, so the thread count depends on the members, never on the number of readers.
 */
final class MemberQueue implements AutoCloseable {
    private static final PartIo STOP = new PartIo(PartIo.Kind.SYNC, 0, null, null);

    private final MemberIo member;
    private final BlockingQueue<PartIo> pending = new LinkedBlockingQueue<>();
    private final List<Thread> slots = new ArrayList<>();
    /** Parts queued or being served: what a metrics scrape reads, so one atomic rather than a walk of the queue. */
    private final AtomicInteger depth = new AtomicInteger();
    private boolean closed;

    MemberQueue(MemberIo member, int inFlight, String threadName) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("at least one request in flight per member: " + inFlight);
        }
        this.member = member;
        for (int i = 0; i < inFlight; i++) {
            Thread slot = new SlotThread(this::serve, threadName + "-" + i);
            slot.setDaemon(true);
            slots.add(slot);
            slot.start();
        }
    }

    /** A member I/O thread: blocking array calls from it are refused, since it might be waiting for itself. */
    static final class SlotThread extends Thread {
        SlotThread(Runnable serve, String name) {
            super(serve, name);
        }
    }

    /** Queues {@code part}; after close the part fails at once instead of waiting forever. */
    synchronized void submit(PartIo part) {
        if (closed) {
            part.reject(new IOException(member.name() + ": the array is closed"));
            return;
        }
        depth.incrementAndGet();
        pending.add(part);
    }

    /** Parts waiting or in flight on this member now. */
    int depth() {
        return depth.get();
    }

    private void serve() {
        while (true) {
            PartIo part;
            try {
                part = pending.take();
            } catch (InterruptedException e) {
                return;
            }
            if (part == STOP) {
                return;
            }
            try {
                part.run(member);
            } finally {
                depth.decrementAndGet();
            }
        }
    }

    /** Lets queued parts finish, then stops the slots. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            slots.forEach(s -> pending.add(STOP));
        }
        boolean interrupted = false;
        for (Thread slot : slots) {
            while (slot.isAlive()) {
                try {
                    slot.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
