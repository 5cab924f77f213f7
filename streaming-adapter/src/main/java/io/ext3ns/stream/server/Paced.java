package io.ext3ns.stream.server;

/** A stream the {@link Pacer} runs: sends what is due and says when it next has something due. */
public interface Paced {
    /** Returned by {@link #sendDue} when the stream has nothing more to send until it is scheduled again. */
    long IDLE = Long.MAX_VALUE;

    /**
     * Sends the packets due at {@code nowNanos} (System.nanoTime), recording their lateness; returns the time the
     * next packet is due, or {@link #IDLE}. Called on the stream's pacer thread only.
     */
    long sendDue(long nowNanos, LatenessHistogram lateness);
}
