package io.ext3ns.sda;

/**
 * A thread that completes array requests (a thread engine's member slot, the io_uring engine's ring thread):
 * blocking array calls from it are refused, since it might be the thread they wait for.
 */
class ArrayIoThread extends Thread {
    ArrayIoThread(Runnable body, String name) {
        super(body, name);
        setDaemon(true);
    }

    /** Waits for this thread to end; an interrupt meanwhile is kept for the caller, not lost. */
    void joinUninterruptibly() {
        boolean interrupted = false;
        while (isAlive() && Thread.currentThread() != this) {
            try {
                join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
