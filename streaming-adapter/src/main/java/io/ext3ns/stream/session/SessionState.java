package io.ext3ns.stream.session;

/** Life cycle of a {@link StreamSession}. */
public enum SessionState {
    /** Opened, not yet played. */
    READY,
    PLAYING,
    PAUSED,
    /** Sent the whole file (terminal). */
    FINISHED,
    /** Stopped by {@link StreamSession#stop()} (terminal). */
    STOPPED,
    /** Ended by an error: unreadable data, not MPEG-TS (terminal). */
    FAILED;

    public boolean terminal() {
        return this == FINISHED || this == STOPPED || this == FAILED;
    }
}
