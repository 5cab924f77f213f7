package io.ext3ns.stream.net;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * TLS over the connection's socket with a JSSE {@link SSLEngine}, non-blocking. Outgoing application bytes are
 * encrypted straight from the caller's buffers (a body's pinned unit) into one direct buffer of a few records that
 * the socket is written from: one copy, the cipher's own, instead of the kernel's. Incoming records are decrypted
 * into a small buffer and handed to the connection's input. The handshake runs as records arrive, its delegated
 * tasks inline on the event loop (a few milliseconds of signing per connection).
 *
 * <p>Memory per connection: one record in, one decrypted record, {@link #RECORDS_OUT} records out (about 100 KiB).
 */
final class TlsWire implements Wire {
    /** Records encrypted ahead into the output buffer: fewer, larger socket writes. */
    static final int RECORDS_OUT = 4;
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SocketChannel channel;
    private final SSLEngine engine;
    private ByteBuffer netIn;     // write mode: records received, not yet decrypted
    private final ByteBuffer appIn;     // write mode: decrypted bytes not yet taken by read()
    private final ByteBuffer netOut;    // write mode: records ready; [sent, position) still to go
    private int sent;
    private boolean handshakeDone;
    private boolean peerEnded;          // end of stream, or the peer's close_notify
    private boolean inputStalled;       // decrypting stopped because appIn was full: more may be unwrapped
    private boolean shutdownPending;    // close_notify queued; shut the socket's output once it is out

    TlsWire(SocketChannel channel, SSLEngine engine) throws SSLException {
        this.channel = channel;
        this.engine = engine;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocateDirect(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.netOut = ByteBuffer.allocateDirect(RECORDS_OUT * packet);
        engine.beginHandshake();
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        if (!peerEnded && netIn.hasRemaining() && channel.read(netIn) < 0) {
            peerEnded = true;
        }
        int copied = 0;
        while (true) {
            copied += drain(dst);
            if (!dst.hasRemaining() || !advance()) {
                break;
            }
        }
        copied += drain(dst);
        if (copied == 0 && peerEnded && appIn.position() == 0) {
            return -1;
        }
        return copied;
    }

    private int drain(ByteBuffer dst) {
        appIn.flip();
        int n = Math.min(appIn.remaining(), dst.remaining());
        if (n > 0) {
            ByteBuffer part = appIn.duplicate();
            part.limit(part.position() + n);
            dst.put(part);
            appIn.position(appIn.position() + n);
        }
        appIn.compact();
        return n;
    }

    /** One step of the handshake or of decrypting; false when nothing more can happen without the socket. */
    private boolean advance() throws IOException {
        switch (engine.getHandshakeStatus()) {
            case NEED_TASK -> {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
                return true;
            }
            case NEED_WRAP -> {
                if (netOut.remaining() < engine.getSession().getPacketBufferSize()) {
                    flushNet();
                    if (netOut.remaining() < engine.getSession().getPacketBufferSize()) {
                        return false; // the socket is full: the loop writes on when it is writable
                    }
                }
                SSLEngineResult r = wrap(NOTHING);
                flushNet();
                return r.bytesProduced() > 0 || r.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
            }
            default -> {
                if (peerEnded && netIn.position() == 0 || engine.isInboundDone()) {
                    return false;
                }
                netIn.flip();
                SSLEngineResult r;
                try {
                    r = engine.unwrap(netIn, appIn);
                } catch (SSLException e) {
                    sendAlert();
                    throw e;
                } finally {
                    netIn.compact();
                }
                noteFinished(r);
                inputStalled = r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW;
                switch (r.getStatus()) {
                    case CLOSED -> {
                        peerEnded = true;
                        return r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
                    }
                    case BUFFER_UNDERFLOW -> {
                        if (!netIn.hasRemaining()) { // a record larger than the session said: make room
                            ByteBuffer bigger = ByteBuffer.allocateDirect(netIn.capacity() * 2);
                            netIn = bigger.put(netIn.flip());
                        }
                        return false;
                    }
                    case BUFFER_OVERFLOW -> {
                        return false;
                    }
                    default -> {
                        return r.bytesConsumed() > 0 || r.bytesProduced() > 0
                                || r.getHandshakeStatus() == HandshakeStatus.NEED_TASK
                                || r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
                    }
                }
            }
        }
    }

    private SSLEngineResult wrap(ByteBuffer[] srcs) throws IOException {
        SSLEngineResult r;
        try {
            r = engine.wrap(srcs, netOut);
        } catch (SSLException e) {
            sendAlert();
            throw e;
        }
        noteFinished(r);
        return r;
    }

    private void noteFinished(SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED) {
            handshakeDone = true;
        }
    }

    /** After a fatal error the engine has an alert to send: best effort, the connection closes anyway. */
    private void sendAlert() {
        try {
            engine.closeOutbound();
            if (netOut.remaining() >= engine.getSession().getPacketBufferSize()) {
                engine.wrap(NOTHING, netOut);
            }
            flushNet();
        } catch (IOException | RuntimeException ignored) {
            // the peer spoke no TLS, or went away: nothing to tell it
        }
    }

    @Override
    public synchronized long write(ByteBuffer[] srcs) throws IOException {
        if (shutdownPending || engine.isOutboundDone()) {
            throw new IOException("TLS output already closed");
        }
        flushNet();
        if (!handshakeDone) {
            while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
                    || engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                if (!advance()) {
                    break;
                }
            }
            if (!handshakeDone) {
                return 0; // application bytes wait in the connection's queue until the handshake is over
            }
        }
        int packet = engine.getSession().getPacketBufferSize();
        long taken = 0;
        while (remaining(srcs) > 0) {
            if (netOut.remaining() < packet) {
                flushNet();
                if (netOut.remaining() < packet) {
                    break;
                }
            }
            SSLEngineResult r = wrap(srcs);
            taken += r.bytesConsumed();
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new IOException("TLS output closed");
            }
            if (r.getHandshakeStatus() == HandshakeStatus.NEED_TASK
                    || r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                advance(); // a key update or session ticket: the engine's own records go out first
            } else if (r.bytesConsumed() == 0) {
                break;
            }
        }
        flushNet();
        return taken;
    }

    private static long remaining(ByteBuffer[] srcs) {
        long n = 0;
        for (ByteBuffer b : srcs) {
            n += b.remaining();
        }
        return n;
    }

    /** Writes the records [sent, position) of the output buffer; empties it once all are out. */
    private void flushNet() throws IOException {
        int end = netOut.position();
        if (sent < end) {
            ByteBuffer out = netOut.duplicate();
            out.position(sent).limit(end);
            sent += channel.write(out);
        }
        if (sent == end) {
            netOut.clear();
            sent = 0;
            if (shutdownPending) {
                shutdownPending = false;
                channel.shutdownOutput();
            }
        }
    }

    @Override
    public synchronized boolean flush() throws IOException {
        flushNet();
        if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && !engine.isOutboundDone()) {
            advance();
        }
        return flushed();
    }

    @Override
    public synchronized boolean flushed() {
        return netOut.position() == 0 && !shutdownPending
                && (engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP || engine.isOutboundDone());
    }

    @Override
    public synchronized boolean hasBufferedInput() {
        return appIn.position() > 0 || inputStalled;
    }

    @Override
    public synchronized boolean handshaking() {
        return !handshakeDone;
    }

    @Override
    public synchronized void shutdownOutput() throws IOException {
        if (engine.isOutboundDone() && !shutdownPending) {
            return; // already shut (or being shut)
        }
        engine.closeOutbound();
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
                && netOut.remaining() >= engine.getSession().getPacketBufferSize()) {
            SSLEngineResult r = engine.wrap(NOTHING, netOut);
            if (r.bytesProduced() == 0) {
                break;
            }
        }
        shutdownPending = true;
        flushNet();
    }
}
