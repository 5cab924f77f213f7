package io.ext3ns.tools;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets a tool finish cleanly when the user presses Ctrl-C or the process gets SIGTERM: a shutdown hook tells the
 * work to stop (the registered action) and holds the JVM until the tool has cleaned up and closed what it writes —
 * {@link #close()}, at the end of the try block that owns the work — or {@link #MAX_WAIT_SECONDS} have passed.
 * SIGKILL cannot be caught; a volume written offline is then left as a crash would leave it.
 */
final class InterruptGuard implements AutoCloseable {
    static final long MAX_WAIT_SECONDS = 60;

    private final CountDownLatch cleanedUp = new CountDownLatch(1);
    private final Thread hook = new Thread(this::interrupted, "ext3ns-interrupt");
    private volatile Runnable action = () -> { };

    InterruptGuard() {
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** What to do when interrupted (e.g. cancel the copy). */
    void onInterrupt(Runnable stop) {
        action = stop;
    }

    private void interrupted() {
        action.run();
        try {
            cleanedUp.await(MAX_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The work is over and cleaned up: an exit from now on need not wait. */
    @Override
    public void close() {
        cleanedUp.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and has just been released
        }
    }
}
