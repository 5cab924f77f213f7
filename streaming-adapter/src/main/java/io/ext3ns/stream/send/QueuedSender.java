package io.ext3ns.stream.send;

/**
 * A sender that queues packets from several sessions and sends them in as few system calls as possible; the
 * scheduler thread owning it calls {@link #flush()} at the end of every round.
 */
public interface QueuedSender {
    /** Sends what is queued; returns false when something is still queued (socket full: call again soon). */
    boolean flush();
}
