package io.ext3ns.sda;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread engine's queue for one member: parts wait here in arrival order and a fixed number of in-flight slots
 * (2 by default, the paper's pipelining) take the next part as soon as theirs completes, each with a blocking
 * positional read or write. One thread per slot, so the thread count depends on the members, never on the number of
 * readers.
 */
final class ThreadMemberQueue implements MemberQueue {
    private static final PartIo STOP = new PartIo(PartIo.Kind.SYNC, 0, null, null, null);

    private final MemberIo member;
    private final BlockingQueue<PartIo> pending = new LinkedBlockingQueue<>();
    private final List<ArrayIoThread> slots = new ArrayList<>();
    /** Parts queued or being served: what a metrics scrape reads, so one atomic rather than a walk of the queue. */
    private final AtomicInteger depth = new AtomicInteger();
    private boolean closed;

    ThreadMemberQueue(MemberIo member, int inFlight, String threadName) {
        if (inFlight < 1) {
            throw new IllegalArgumentException("at least one request in flight per member: " + inFlight);
        }
        this.member = member;
        for (int i = 0; i < inFlight; i++) {
            ArrayIoThread slot = new ArrayIoThread(this::serve, threadName + "-" + i);
            slots.add(slot);
            slot.start();
        }
    }

    @Override
    public synchronized void submit(PartIo part) {
        if (closed) {
            part.reject(new IOException(member.name() + ": the array is closed"));
            return;
        }
        depth.incrementAndGet();
        pending.add(part);
    }

    @Override
    public int depth() {
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

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            slots.forEach(s -> pending.add(STOP));
        }
        slots.forEach(ArrayIoThread::joinUninterruptibly);
    }
}
