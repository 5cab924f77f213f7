package io.ext3ns.stream.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * The one selector thread that accepts RTSP and HTTP connections, reads their requests and writes their queued
 * output, so the number of clients costs no threads. Other threads hand it work with {@link #execute}; a periodic
 * tick runs the session reaper.
 */
public final class NioLoop implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(NioLoop.class);
    private static final long TICK_NANOS = 500_000_000L;

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final List<Runnable> tickers = new ArrayList<>();
    private final int maxConnections;
    private final int inputBytes;
    private final int queueLimit;
    private final long idleNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private int connections;

    /**
     * @param idleNanos a connection that neither sent a byte nor took one from its queue for this long is closed
     *                  (a client that connects and goes silent must not hold a connection slot for ever)
     */
    public NioLoop(int maxConnections, int inputBytes, int queueLimit, long idleNanos) throws IOException {
        this.selector = Selector.open();
        this.maxConnections = maxConnections;
        this.inputBytes = inputBytes;
        this.queueLimit = queueLimit;
        this.idleNanos = idleNanos;
        this.thread = new Thread(this::run, "ext3ns-nio");
        this.thread.setDaemon(true);
    }

    /** Listens on {@code address}; each accepted connection gets a handler from {@code handlers}. */
    public InetSocketAddress listen(InetSocketAddress address, Supplier<ConnectionHandler> handlers)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(address, 256);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, handlers);
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** Runs {@code ticker} on the loop thread about twice a second. Register before {@link #start()}. */
    public void addTicker(Runnable ticker) {
        tickers.add(ticker);
    }

    public void start() {
        thread.start();
    }

    public void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    void wakeupUnlessOnLoop() {
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    private void run() {
        long nextTick = System.nanoTime() + TICK_NANOS;
        while (running) {
            try {
                selector.select(Math.max(1, (nextTick - System.nanoTime()) / 1_000_000));
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                var selected = selector.selectedKeys();
                for (SelectionKey key : selected) {
                    dispatch(key);
                }
                selected.clear();
                if (System.nanoTime() >= nextTick) {
                    nextTick = System.nanoTime() + TICK_NANOS;
                    tickers.forEach(Runnable::run);
                    closeExpired();
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("event loop error (continuing)", e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void dispatch(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept((ServerSocketChannel) key.channel(), (Supplier<ConnectionHandler>) key.attachment());
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isWritable() && c.flush()) {
                c.handler().onDrained(c);
            }
            if (key.isValid() && key.isReadable() && c.isClosing()) {
                boolean open = c.fill();
                c.input().clear(); // refused: whatever else it sends is discarded
                if (!open) {
                    closeConnection(c);
                }
            } else if (key.isValid() && key.isReadable()) {
                boolean open = c.fill();
                c.input().flip();
                try {
                    c.handler().onInput(c);
                } finally {
                    c.input().compact();
                }
                if (!open) {
                    closeConnection(c);
                } else if (!c.input().hasRemaining() && !c.isClosed()) {
                    LOG.debug("{}: input buffer full without a whole request", c.remote());
                    closeConnection(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: closing after {}", c.remote(), e.toString());
            closeConnection(c);
        }
    }

    private void accept(ServerSocketChannel server, Supplier<ConnectionHandler> handlers) {
        try {
            SocketChannel channel;
            while ((channel = server.accept()) != null) {
                if (connections >= maxConnections) {
                    LOG.warn("refusing connection from {}: {} connections open", channel.getRemoteAddress(),
                            connections);
                    channel.close();
                    continue;
                }
                channel.configureBlocking(false);
                channel.socket().setTcpNoDelay(true);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                Connection c = new Connection(channel, key, this, handlers.get(), inputBytes, queueLimit);
                key.attach(c);
                connections++;
            }
        } catch (IOException e) {
            LOG.warn("accept failed: {}", e.toString());
        }
    }

    /** Closes refused connections whose grace period is over, and connections idle for too long. */
    private void closeExpired() {
        long now = System.nanoTime();
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof Connection c
                    && (c.lingerExpired(now) || now - c.lastActivityNanos() > idleNanos)) {
                closeConnection(c);
            }
        }
    }

    void closeConnection(Connection c) {
        if (c.markClosed()) {
            connections--;
            c.handler().onClose(c);
        }
    }

    @Override
    public void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Runnable task; (task = tasks.poll()) != null; ) {
            task.run(); // work handed over just before close, such as ending the sessions
        }
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Connection c) {
                closeConnection(c);
            } else {
                key.channel().close();
            }
        }
        selector.close();
    }
}
