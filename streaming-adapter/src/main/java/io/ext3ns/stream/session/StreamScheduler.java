package io.ext3ns.stream.session;

import io.ext3ns.stream.send.QueuedSender;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread serving many sessions (no thread per stream): a timer queue ordered by each session's next due time.
 * Every round runs the sessions that are due, then flushes the thread's batching senders, so packets of all
 * sessions due together leave in one sendmmsg. Other threads hand work in through a lock-free queue. A round
 * allocates nothing: the timer queue is a {@link TimerHeap} of primitive arrays.
 */
public final class StreamScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamScheduler.class);
    /** Pause before retrying a sender whose socket was full. */
    private static final long SENDER_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private record Entry(long due, long ticket, Schedulable work) {
    }

    private final TimerHeap timers = new TimerHeap();
    private final ConcurrentLinkedQueue<Entry> incoming = new ConcurrentLinkedQueue<>();
    private volatile QueuedSender[] senders = new QueuedSender[0];
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long rounds;
    private final LatenessHistogram lateness = new LatenessHistogram();

    public StreamScheduler(String name) {
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs {@code work} at {@code dueNanos} (System.nanoTime); supersedes any earlier scheduling of it. */
    void schedule(Schedulable work, long dueNanos) {
        if (Thread.currentThread() == thread) {
            timers.add(dueNanos, work.bumpTicket(), work);
            return;
        }
        incoming.add(new Entry(dueNanos, work.bumpTicket(), work));
        LockSupport.unpark(thread);
    }

    /** Registers a sender to flush after every round; call before sessions use it. */
    public synchronized void addSender(QueuedSender sender) {
        QueuedSender[] copy = java.util.Arrays.copyOf(senders, senders.length + 1);
        copy[senders.length] = sender;
        senders = copy;
    }

    /** True when called on this scheduler's thread. */
    public boolean onSchedulerThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs a task on the scheduler thread (as soon as possible). */
    public void runOnThread(Runnable task) {
        schedule(new OneShot(task), System.nanoTime());
    }

    /** How late this thread's paced packets left against their schedule (recorded by the sessions it runs). */
    public LatenessHistogram lateness() {
        return lateness;
    }

    /** CPU time this thread has used, in nanoseconds; -1 where the JVM cannot tell. */
    public long cpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId());
    }

    /**
     * Heap bytes this thread has allocated so far; -1 where the JVM cannot tell. The pacing and sending of packets
     * allocates nothing, so this grows only with session starts and ends and unit reads (see {@code
     * AllocationFreeSendTest}).
     */
    public long allocatedBytes() {
        if (java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean mx && mx.isThreadAllocatedMemorySupported()) {
            return mx.getThreadAllocatedBytes(thread.getId());
        }
        return -1;
    }

    /** Scheduling rounds run so far (for tests and metrics). */
    public long rounds() {
        return rounds;
    }

    private void loop() {
        while (running) {
            Entry e;
            while ((e = incoming.poll()) != null) {
                timers.add(e.due, e.ticket, e.work);
            }
            long now = System.nanoTime();
            while (!timers.isEmpty() && timers.firstDue() - now <= 0) {
                Schedulable work = timers.firstWork();
                long ticket = timers.firstTicket();
                timers.removeFirst();
                if (ticket != work.ticket()) {
                    continue; // rescheduled since
                }
                long next = runSafely(work, now);
                if (next != Schedulable.IDLE) {
                    timers.add(next, work.bumpTicket(), work);
                }
            }
            boolean flushed = true;
            QueuedSender[] flushing = senders;
            for (int i = 0; i < flushing.length; i++) {
                flushed &= flushing[i].flush();
            }
            rounds++;
            long wait = Long.MAX_VALUE;
            if (!timers.isEmpty()) {
                wait = timers.firstDue() - System.nanoTime();
            }
            if (!flushed) {
                wait = Math.min(wait, SENDER_RETRY_NANOS);
            }
            if (wait > 0 && incoming.isEmpty()) {
                LockSupport.parkNanos(this, wait == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : wait);
            }
        }
    }

    private static long runSafely(Schedulable work, long now) {
        try {
            return work.service(now);
        } catch (RuntimeException | Error t) {
            LOG.error("scheduled work failed and was dropped: {}", work, t);
            return Schedulable.IDLE;
        }
    }

    /** Stops the thread after its current round (sessions still scheduled are not run again). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }

    private static final class OneShot implements Schedulable {
        private final Runnable task;
        private long ticket;

        OneShot(Runnable task) {
            this.task = task;
        }

        @Override
        public long service(long nowNanos) {
            task.run();
            return IDLE;
        }

        @Override
        public long bumpTicket() {
            return ++ticket;
        }

        @Override
        public long ticket() {
            return ticket;
        }
    }
}
