package io.ext3ns.stream.net;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte stream under a {@link Connection}: the socket itself ({@link PlainWire}) or TLS over it
 * ({@link TlsWire}). Non-blocking like a SocketChannel: reads and writes take what they can and return at once.
 */
interface Wire {
    /** Reads application bytes into {@code dst}; returns how many (0: none now), or -1 at end of stream. */
    int read(ByteBuffer dst) throws IOException;

    /** Takes application bytes from {@code srcs}; returns how many were taken (sent, or held by the wire). */
    long write(ByteBuffer[] srcs) throws IOException;

    /** Sends what the wire itself holds (TLS records); true when nothing is left in it. */
    boolean flush() throws IOException;

    /** True when the wire holds no bytes of its own waiting for the socket. */
    boolean flushed();

    /** True when application bytes are buffered inside the wire that the socket will not signal (TLS records read). */
    boolean hasBufferedInput();

    /** True before the wire can carry application bytes (a TLS handshake in progress). */
    boolean handshaking();

    /** Ends our direction once everything taken has been sent (TLS: close_notify first). */
    void shutdownOutput() throws IOException;
}
