package io.ext3ns.fs.api;

import java.io.IOException;

/**
 * A file-system operation failed with a POSIX error. The errno and the detail (what and where) are fields: callers
 * read them, never parse {@link #getMessage()} (which is "ERRNO: detail", for logs).
 */
public class FsException extends IOException {
    private final Errno errno;
    private final String detail;

    public FsException(Errno errno, String message) {
        super(errno + ": " + message);
        this.errno = errno;
        this.detail = message;
    }

    public FsException(Errno errno, String message, Throwable cause) {
        super(errno + ": " + message, cause);
        this.errno = errno;
        this.detail = message;
    }

    public Errno errno() {
        return errno;
    }

    /** What failed and where, without the errno (for reports that state the errno elsewhere or not at all). */
    public String detail() {
        return detail;
    }
}
