package io.ext3ns.fs.journal;

import io.ext3ns.fs.api.FileSystem;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ext3's commit interval ({@code commit=5}): a daemon thread that syncs the file system every interval, so that a
 * crash loses at most that much of the work of programs that never call fsync (a recorder writing a stream). Each
 * sync is one journal transaction holding everything changed since the last. Stops by itself once the file system
 * is closed or a sync fails (the failure is logged; the next fsync reports it to its caller).
 */
public final class PeriodicCommit implements AutoCloseable {
    /** ext3's default commit interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(PeriodicCommit.class);

    private final ScheduledExecutorService timer;
    private volatile long commits;

    private PeriodicCommit(FileSystem fs, Duration interval) {
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ext3ns-commit");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        timer.scheduleWithFixedDelay(() -> commit(fs), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Starts syncing {@code fs} every {@code interval} (at least 10 ms). */
    public static PeriodicCommit start(FileSystem fs, Duration interval) {
        if (interval.toMillis() < 10) {
            throw new IllegalArgumentException("commit interval " + interval + " is shorter than 10 ms");
        }
        return new PeriodicCommit(fs, interval);
    }

    /** Syncs completed so far. */
    public long commits() {
        return commits;
    }

    private void commit(FileSystem fs) {
        try {
            fs.sync();
            commits++;
        } catch (Exception e) {
            LOG.warn("periodic commit stopped: {}", e.getMessage());
            timer.shutdown();
        }
    }

    /** Stops the timer (a sync in progress finishes first); call before closing the file system. */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        timer.awaitTermination(1, TimeUnit.MINUTES);
    }
}
