package io.ext3ns.stream.content;

/**
 * A request names content the server will not serve; {@link #status()} is the RTSP/HTTP status code that says why
 * (400 malformed name, 403 leaves the store, 404 missing or not a regular file, 500 store error).
 */
public class ContentException extends Exception {
    private final int status;

    public ContentException(int status, String message) {
        super(message);
        this.status = status;
    }

    public ContentException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
