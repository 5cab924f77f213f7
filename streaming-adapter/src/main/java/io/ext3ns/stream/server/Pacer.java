package io.ext3ns.stream.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A few threads (one per core) that each run many streams from a queue ordered by due time: a thread sleeps until
 * the earliest packet is due, sends it and whatever else is due, and goes back to sleep. Streams are spread round
 * robin; a stream stays on its thread. Scheduling is by ticket: {@link #schedule} with a new ticket number
 * supersedes older entries of that stream (a PAUSE or seek just bumps the ticket; stale entries are skipped).
 */
public final class Pacer implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Pacer.class);
    /** A stream's place on one pacer thread; tickets are compared so only the newest entry runs. */
    public static final class Slot {
        private final Worker worker;
        private final Paced stream;
        private volatile long ticket;

        private Slot(Worker worker, Paced stream) {
            this.worker = worker;
            this.stream = stream;
        }
    }

    private record Entry(long due, Slot slot, long ticket) {
    }

    private final Worker[] workers;
    private final AtomicInteger nextWorker = new AtomicInteger();

    public Pacer(int threads) {
        workers = new Worker[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Worker("ext3ns-pacer-" + i);
            workers[i].thread.start();
        }
    }

    /** Assigns {@code stream} to a thread; it runs once {@link #schedule}d. */
    public Slot attach(Paced stream) {
        Worker w = workers[Math.floorMod(nextWorker.getAndIncrement(), workers.length)];
        return new Slot(w, stream);
    }

    /** Runs the slot's stream at {@code dueNanos}, superseding earlier schedules of it. */
    public void schedule(Slot slot, long dueNanos) {
        long ticket = ++slot.ticket;
        slot.worker.inbox.add(new Entry(dueNanos, slot, ticket));
        LockSupport.unpark(slot.worker.thread);
    }

    /** Stops running the slot's stream (entries already queued are skipped). */
    public void cancel(Slot slot) {
        slot.ticket++;
    }

    /** Lateness of every packet sent so far, summed over threads. */
    public long[] latenessSnapshot() {
        long[] sums = new long[LatenessHistogram.BUCKETS];
        for (Worker w : workers) {
            w.lateness.addTo(sums);
        }
        return sums;
    }

    /** CPU time the pacer threads have used, in nanoseconds (-1 where the JVM cannot tell). */
    public long cpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Worker w : workers) {
            long t = mx.getThreadCpuTime(w.thread.getId());
            if (t < 0) {
                return -1;
            }
            sum += t;
        }
        return sum;
    }

    public int threads() {
        return workers.length;
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.running = false;
            LockSupport.unpark(w.thread);
        }
        for (Worker w : workers) {
            try {
                w.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class Worker {
        final Thread thread;
        final ConcurrentLinkedQueue<Entry> inbox = new ConcurrentLinkedQueue<>();
        final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
        final LatenessHistogram lateness = new LatenessHistogram();
        volatile boolean running = true;

        Worker(String name) {
            thread = new Thread(this::run, name);
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
        }

        private void run() {
            while (running) {
                for (Entry e; (e = inbox.poll()) != null; ) {
                    queue.add(e);
                }
                Entry head = queue.peek();
                long now = System.nanoTime();
                if (head == null) {
                    LockSupport.parkNanos(50_000_000L);
                    continue;
                }
                if (head.slot.ticket != head.ticket) {
                    queue.poll();
                    continue;
                }
                if (head.due > now) {
                    LockSupport.parkNanos(head.due - now);
                    continue;
                }
                queue.poll();
                long next;
                try {
                    next = head.slot.stream.sendDue(now, lateness);
                } catch (RuntimeException ex) {
                    LOG.error("stream failed; dropping it from the pacer", ex);
                    continue;
                }
                if (next != Paced.IDLE && head.slot.ticket == head.ticket) {
                    queue.add(new Entry(next, head.slot, head.ticket));
                }
            }
        }
    }
}
