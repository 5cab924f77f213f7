package io.ext3ns.sda.uring;

import java.io.IOException;

/** io_uring cannot be used in this process (kernel without it, disabled by sysctl or seccomp, no libc binding). */
public final class UringUnavailableException extends IOException {
    private final int errno;

    public UringUnavailableException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    /** The errno io_uring_setup failed with, or 0 when it was never reached. */
    public int errno() {
        return errno;
    }
}
