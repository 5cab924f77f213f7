package io.ext3ns.fs.api;

import java.io.IOException;

/** A file-system operation failed with a POSIX error; the message says what and where. */
public class FsException extends IOException {
    private final Errno errno;

    public FsException(Errno errno, String message) {
        super(errno + ": " + message);
        this.errno = errno;
    }

    public FsException(Errno errno, String message, Throwable cause) {
        super(errno + ": " + message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
