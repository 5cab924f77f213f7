package io.ext3ns.stream.net;

import java.io.IOException;

/** The protocol spoken on a {@link Connection}; all calls come from the {@link NioLoop} thread. */
public interface ConnectionHandler {
    /** New bytes are in {@link Connection#input()} (flipped for reading); consume whole requests and return. */
    void onInput(Connection connection) throws IOException;

    /** Everything queued has been written; a handler streaming a body sends its next piece. */
    default void onDrained(Connection connection) throws IOException {
    }

    /**
     * True while the handler waits for (the rest of) a request: the bytes then in the input count against the
     * request-head deadline. False while it is busy with one (a body going out, an index being built).
     */
    default boolean readingRequest(Connection connection) {
        return true;
    }

    /** The client took longer than the deadline to send a request head: answer 408 and close, or just close. */
    default void onHeadTimeout(Connection connection) throws IOException {
        connection.close();
    }

    /** The connection is gone (peer closed, error, or closed by the server); release what it held. */
    void onClose(Connection connection);
}
