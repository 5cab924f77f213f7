package io.ext3ns.fuse.mount;

/** A mount that cannot be made or kept, with the message for the user and mount(8)'s exit status. */
public final class MountFailure extends Exception {
    /** mount(8): incorrect invocation or permissions. */
    public static final int USAGE = 1;
    /** mount(8): mount failure. */
    public static final int FAILED = 32;

    private final int exitStatus;

    public MountFailure(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    public MountFailure(int exitStatus, String message, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
