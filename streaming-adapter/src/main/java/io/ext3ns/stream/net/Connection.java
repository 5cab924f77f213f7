package io.ext3ns.stream.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One client TCP connection of the {@link NioLoop}: its input buffer, and an outbound queue written without ever
 * blocking. Responses and HTTP body pieces are queued whole ({@link #sendOwned}); RTP frames interleaved from the
 * engine's threads ({@link #sendFrame}) are refused while the client lets more than {@code queueLimit} bytes pile
 * up (the engine holds the stream back and retries), so a slow reader delays its own stream, never another
 * client. The bytes go through a {@link Wire}: the socket as it is, or TLS over it; plain connections may also
 * queue runs of files, sent with sendfile ({@link #sendFile}).
 */
public final class Connection {
    private final SocketChannel channel;
    private final Wire wire;
    private final SelectionKey key;
    private final NioLoop loop;
    private final ConnectionHandler handler;
    private final InetSocketAddress remote;
    private final ByteBuffer input;
    private final int queueLimit;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(); // ByteBuffer or FileSlice
    private final ByteBuffer[] one = new ByteBuffer[1]; // flush's write argument, reused
    private long pendingBytes;
    private volatile boolean closed;
    private volatile long lingerUntilNanos; // 0 = not closing; else close by then at the latest
    /** How long a connection refused after a bad request may take to read our answer. */
    private static final long LINGER_NANOS = 2_000_000_000L;
    private volatile long lastActivityNanos = System.nanoTime(); // last byte read, or written from the queue
    /** When the request head now being received began (connect, or its first byte); 0 when none is pending. */
    private long headStartedNanos = lastActivityNanos;

    Connection(SocketChannel channel, Wire wire, SelectionKey key, NioLoop loop, ConnectionHandler handler,
               int inputBytes, int queueLimit) throws IOException {
        this.channel = channel;
        this.wire = wire;
        this.key = key;
        this.loop = loop;
        this.handler = handler;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.input = ByteBuffer.allocate(inputBytes);
        this.queueLimit = queueLimit;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    public InetSocketAddress local() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Received bytes, flipped for reading while {@link ConnectionHandler#onInput} runs. */
    public ByteBuffer input() {
        return input;
    }

    public boolean isClosed() {
        return closed;
    }

    public long lastActivityNanos() {
        return lastActivityNanos;
    }

    /** True when the client has let more than the queue limit pile up: stream frames should wait. */
    public synchronized boolean congested() {
        return closed || pendingBytes > queueLimit;
    }

    /** True when nothing is waiting to be written. */
    public synchronized boolean drained() {
        return pending.isEmpty() && wire.flushed();
    }

    /**
     * Queues buffers the caller hands over (not copied, not touched afterwards); never dropped.
     */
    public synchronized void sendOwned(ByteBuffer... parts) throws IOException {
        if (closed) {
            return;
        }
        if (pending.isEmpty() && wire.write(parts) > 0) {
            lastActivityNanos = System.nanoTime();
        }
        for (ByteBuffer part : parts) {
            if (part.hasRemaining()) {
                pending.add(part);
                pendingBytes += part.remaining();
            }
        }
        armWrite();
    }

    /** True when {@link #sendFile} may be used: the socket is written as it is (no TLS). */
    public boolean sendsFiles() {
        return wire instanceof PlainWire;
    }

    /**
     * Queues {@code count} bytes of {@code file} from {@code position}, sent with sendfile (the kernel hands the
     * file's pages to the socket: no copy through user space). Plain connections only ({@link #sendsFiles}).
     */
    public synchronized void sendFile(FileChannel file, long position, long count) throws IOException {
        if (!sendsFiles()) {
            throw new IllegalStateException("sendfile on a TLS connection");
        }
        if (closed || count <= 0) {
            return;
        }
        FileSlice slice = new FileSlice(file, position, count);
        if (pending.isEmpty() && slice.transferTo(channel) > 0) {
            lastActivityNanos = System.nanoTime();
        }
        if (slice.count > 0) {
            pending.add(slice);
            pendingBytes += slice.count;
            armWrite();
        }
    }

    /** A queued run of a file; {@link #transferTo} moves its start on. */
    private static final class FileSlice {
        final FileChannel file;
        long position;
        long count;

        FileSlice(FileChannel file, long position, long count) {
            this.file = file;
            this.position = position;
            this.count = count;
        }

        long transferTo(SocketChannel socket) throws IOException {
            long n = file.transferTo(position, count, socket); // 0: the socket is full (the caller checked the size)
            position += Math.max(0, n);
            count -= Math.max(0, n);
            return n;
        }
    }

    /**
     * Writes one frame from scratch buffers the caller reuses: what the socket does not take at once is copied into
     * the queue. Returns false, taking nothing, when the queue is over its limit or the connection closed.
     */
    public synchronized boolean sendFrame(ByteBuffer... parts) throws IOException {
        if (closed || pendingBytes > queueLimit) {
            return false;
        }
        if (pending.isEmpty() && wire.write(parts) > 0) {
            lastActivityNanos = System.nanoTime();
        }
        int left = 0;
        for (ByteBuffer part : parts) {
            left += part.remaining();
        }
        if (left > 0) {
            ByteBuffer copy = ByteBuffer.allocate(left);
            for (ByteBuffer part : parts) {
                copy.put(part);
            }
            pending.add(copy.flip());
            pendingBytes += left;
            armWrite();
        }
        return true;
    }

    private void armWrite() {
        if ((!pending.isEmpty() || !wire.flushed()) && key.isValid() && (key.interestOps() & SelectionKey.OP_WRITE) == 0) {
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
            loop.wakeupUnlessOnLoop();
        }
    }

    /** Called by the loop when the socket is writable; returns true if the queue is now empty. */
    synchronized boolean flush() throws IOException {
        if (!wire.flush()) {
            return false;
        }
        while (!pending.isEmpty()) {
            Object next = pending.peek();
            long n;
            boolean done;
            if (next instanceof FileSlice file) {
                n = file.transferTo(channel);
                done = file.count == 0;
            } else {
                ByteBuffer head = (ByteBuffer) next;
                one[0] = head;
                n = wire.write(one);
                done = !head.hasRemaining();
            }
            pendingBytes -= Math.max(0, n);
            if (n > 0) {
                lastActivityNanos = System.nanoTime();
            }
            if (!done) {
                return false;
            }
            pending.poll();
        }
        one[0] = null;
        if (!wire.flushed()) {
            return false; // taken, but some of it still in the wire's buffer (TLS records)
        }
        if (key.isValid()) {
            key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
        }
        if (lingerUntilNanos != 0) {
            wire.shutdownOutput();
        }
        return true;
    }

    /**
     * Closes after what is queued has been sent: output is shut down once drained (the client reads our answer,
     * then sees end of stream), further input is discarded, and the socket closes when the client closes or after
     * a short grace period. Closing at once would reset the connection and could destroy the answer unread.
     */
    public synchronized void closeGracefully() throws IOException {
        if (lingerUntilNanos != 0 || closed) {
            return;
        }
        lingerUntilNanos = System.nanoTime() + LINGER_NANOS;
        if (pending.isEmpty()) {
            wire.shutdownOutput();
            armWrite(); // TLS: the close_notify may not have gone out whole
        }
    }

    /** True once {@link #closeGracefully} was called: no more requests are served. */
    public boolean isClosing() {
        return lingerUntilNanos != 0 || closed;
    }

    boolean lingerExpired(long now) {
        return lingerUntilNanos != 0 && now - lingerUntilNanos > 0;
    }

    /** Reads what is available into {@link #input()}; returns false at end of stream. */
    boolean fill() throws IOException {
        int n = wire.read(input);
        if (n > 0) {
            lastActivityNanos = System.nanoTime();
        }
        if (!wire.flushed()) {
            synchronized (this) {
                armWrite(); // a TLS handshake answer the socket did not take at once
            }
        }
        return n >= 0;
    }

    /** True when bytes received are held in the wire (decrypted TLS) that no readiness event will announce. */
    boolean hasBufferedInput() {
        return wire.hasBufferedInput();
    }

    /** True while a TLS handshake is not finished: no request can have arrived yet. */
    boolean handshaking() {
        return wire.handshaking();
    }

    /** Loop thread: after input was handled, starts or stops the head deadline's clock. */
    void trackHead(long now) {
        if ((input.position() > 0 || wire.handshaking()) && handler.readingRequest(this)) {
            if (headStartedNanos == 0) {
                headStartedNanos = now;
            }
        } else {
            headStartedNanos = 0;
        }
    }

    /** True when a request head has been pending for longer than {@code limitNanos}. */
    boolean headOverdue(long now, long limitNanos) {
        return headStartedNanos != 0 && now - headStartedNanos > limitNanos && handler.readingRequest(this);
    }

    ConnectionHandler handler() {
        return handler;
    }

    /** Runs {@code task} on the loop thread that owns this connection. */
    public void execute(Runnable task) {
        loop.execute(task);
    }

    /** Closes the socket; the handler's onClose runs on the loop thread. Safe from any thread, idempotent. */
    public void close() {
        loop.execute(() -> loop.closeConnection(this));
    }

    /** Loop thread only. */
    boolean markClosed() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            pending.clear();
            pendingBytes = 0;
        }
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a broken socket: nothing left to release
        }
        return true;
    }
}
