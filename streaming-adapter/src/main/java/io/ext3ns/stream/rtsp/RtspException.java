package io.ext3ns.stream.rtsp;

/** A request the RTSP state machine refuses; {@link #status()} is the RTSP status code to answer with. */
final class RtspException extends Exception {
    private final int status;

    RtspException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
