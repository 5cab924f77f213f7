package io.ext3ns.stream.server;

import java.io.IOException;

/** The protocol spoken on a {@link Connection}; all calls come from the {@link NioLoop} thread. */
public interface ConnectionHandler {
    /** New bytes are in {@link Connection#input()} (flipped for reading); consume whole requests and return. */
    void onInput(Connection connection) throws IOException;

    /** Everything queued has been written; a handler streaming a body sends its next piece. */
    default void onDrained(Connection connection) throws IOException {
    }

    /** The connection is gone (peer closed, error, or closed by the server); release what it held. */
    void onClose(Connection connection);
}
