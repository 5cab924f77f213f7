package io.ext3ns.stream.index;

import java.io.IOException;

/** The file is not an MPEG transport stream the server can pace and seek (lost sync, or no PCR at all). */
public class InvalidTransportStreamException extends IOException {
    public InvalidTransportStreamException(String message) {
        super(message);
    }
}
