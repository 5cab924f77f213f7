package io.ext3ns.stream.ts;

/** The content is not a stream of 188-byte MPEG-TS packets, so it cannot be sent as RFC 2250 RTP. */
public final class NotMpegTsException extends RuntimeException {
    public NotMpegTsException(String message) {
        super(message);
    }
}
