package io.ext3ns.tools;

import java.io.IOException;

/**
 * Why an import stopped, as one line for the user, with the exit code that says how far it got: {@link #REFUSED}
 * when nothing was written, {@link #FAILED} when it stopped part-way (the partial file removed, the files copied
 * before it kept, the volume consistent).
 */
final class ImportFailure extends IOException {
    static final int REFUSED = 1;
    static final int FAILED = 3;

    private final int exitCode;

    private ImportFailure(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static ImportFailure refused(String message) {
        return new ImportFailure(message, REFUSED, null);
    }

    static ImportFailure failed(String message, Throwable cause) {
        return new ImportFailure(message, FAILED, cause);
    }

    int exitCode() {
        return exitCode;
    }
}
