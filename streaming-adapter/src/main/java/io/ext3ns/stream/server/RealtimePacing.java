package io.ext3ns.stream.server;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Optional real-time scheduling (SCHED_FIFO) for the threads that pace packets and read their units, as a
 * dedicated streaming node would run them: a paced sender that waits behind a busy CPU's other tasks sends late
 * (on a 2-core machine at load 15, one wake-up in a hundred comes 5 ms late or more, and every packet due meanwhile
 * is late with it). The threads sleep between packets, and the kernel's RT throttling (sched_rt_runtime_us) bounds
 * them if they ever did not. Needs CAP_SYS_NICE; without it a warning is logged and nothing changes. Linux only:
 * threads are found by name under /proc/self/task, new ones (the I/O pool grows on demand) on each {@link #apply}.
 */
public final class RealtimePacing {
    private static final Logger LOG = LoggerFactory.getLogger(RealtimePacing.class);
    private static final int SCHED_FIFO = 1;
    /** sched_setscheduler: no such thread (it ended between the listing and the call). */
    private static final int ESRCH = 3;
    /**
     * The streaming engine's scheduler and I/O threads, and the JVM threads that stop them for a collection (a
     * young-generation pause that waits behind other processes stretches from milliseconds to hundreds). Linux
     * keeps 15 characters of a thread's name: "ext3ns-stream-io-0" reads "ext3ns-stream-i".
     */
    private static final Pattern PACING_THREADS =
            Pattern.compile("ext3ns-stream-\\d+|ext3ns-stream-i(o-\\d+)?|VM Thread|GC Thread#\\d+");
    /**
     * The server's event loop and indexer: run one priority below the pacing threads. They take locks the pacing
     * threads need (the shared-unit cache and a session's monitor, while setting up and starting sessions); left at
     * normal priority, another process preempted them while they held one and both pacing threads waited behind
     * it (priority inversion), and a starved event loop stretched 800 arrivals over 21 s.
     */
    public static final Pattern CONTROL_THREADS = Pattern.compile("ext3ns-nio|ext3ns-index");

    /** The one libc call needed. */
    public interface SchedLib {
        int sched_setscheduler(int tid, int policy, @In int[] param);
    }

    private final int priority;
    private final Pattern threads;
    private final Set<Integer> seen = new HashSet<>(); // threads already looked at, moved or not
    private SchedLib lib;
    private boolean failed;

    RealtimePacing(int priority) {
        this(priority, PACING_THREADS);
    }

    /** SCHED_FIFO at {@code priority} for the threads of this process whose name matches {@code threads}. */
    public RealtimePacing(int priority, Pattern threads) {
        if (priority < 1 || priority > 99) {
            throw new IllegalArgumentException("SCHED_FIFO priority must be 1..99: " + priority);
        }
        this.priority = priority;
        this.threads = threads;
    }

    /** Moves every pacing thread not yet moved to SCHED_FIFO; returns how many were moved this call. */
    public synchronized int apply() {
        if (failed) {
            return 0;
        }
        int moved = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                int tid = Integer.parseInt(task.getFileName().toString());
                if (!seen.add(tid) || !threads.matcher(comm(task)).matches()) {
                    continue;
                }
                if (lib == null) {
                    lib = LibraryLoader.create(SchedLib.class).load("c");
                }
                if (lib.sched_setscheduler(tid, SCHED_FIFO, new int[]{priority}) != 0) {
                    int errno = Runtime.getSystemRuntime().getLastError();
                    if (errno == ESRCH) {
                        continue; // the thread ended after it was listed: nothing to move, the others still are
                    }
                    failed = true;
                    LOG.warn("real-time pacing refused (errno {}): needs CAP_SYS_NICE; pacing stays best effort",
                            errno);
                    return moved;
                }
                moved++;
            }
        } catch (IOException | RuntimeException | LinkageError e) {
            failed = true;
            LOG.warn("real-time pacing unavailable: {}", e.toString());
        }
        return moved;
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).trim();
        } catch (IOException e) {
            return ""; // the thread ended meanwhile
        }
    }
}
