package io.ext3ns.stream.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
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
    private final int maxPerClient;
    private final long headNanos;
    private final java.util.Map<java.net.InetAddress, Integer> perClient = new java.util.HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private int connections;
    /** Connections with input held in their wire (TLS), read again before the next wait. */
    private final java.util.LinkedHashSet<Connection> buffered = new java.util.LinkedHashSet<>();
    /** Datagrams read per channel per wake-up: a flood on one RTCP port cannot hold the loop. */
    private static final int DATAGRAMS_PER_WAKEUP = 64;
    private final java.nio.ByteBuffer datagram = java.nio.ByteBuffer.allocate(2048);

    /** Receives the datagrams of a channel registered with {@link #listenDatagrams}; loop thread. */
    public interface DatagramHandler {
        void onDatagram(InetSocketAddress from, java.nio.ByteBuffer data);
    }

    /**
     * @param idleNanos a connection that neither sent a byte nor took one from its queue for this long is closed
     *                  (a client that connects and goes silent must not hold a connection slot for ever)
     * @param maxPerClient connections one client address may hold; more are refused
     * @param headNanos    a request head (from connecting or its first byte) must be whole within this: a client
     *                     dripping a byte now and then is answered 408 and closed (as nginx's client_header_timeout)
     */
    public NioLoop(int maxConnections, int inputBytes, int queueLimit, long idleNanos, int maxPerClient,
                   long headNanos) throws IOException {
        this.selector = Selector.open();
        this.maxConnections = maxConnections;
        this.inputBytes = inputBytes;
        this.queueLimit = queueLimit;
        this.idleNanos = idleNanos;
        this.maxPerClient = maxPerClient;
        this.headNanos = headNanos;
        this.thread = new Thread(this::run, "ext3ns-nio");
        this.thread.setDaemon(true);
    }

    /** Listens on {@code address}; each accepted connection gets a handler from {@code handlers}. */
    public InetSocketAddress listen(InetSocketAddress address, Supplier<ConnectionHandler> handlers)
            throws IOException {
        return listen(address, handlers, null);
    }

    /**
     * As {@link #listen(InetSocketAddress, Supplier)}, speaking TLS (server side, engines from {@code tls}) on every
     * connection accepted when {@code tls} is not null.
     */
    public InetSocketAddress listen(InetSocketAddress address, Supplier<ConnectionHandler> handlers, SSLContext tls)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(address, 256);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT, new Listener(handlers, tls));
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** What a listening socket's accepted connections get. */
    private record Listener(Supplier<ConnectionHandler> handlers, SSLContext tls) {
    }

    /**
     * Reads the datagrams arriving on {@code channel} (non-blocking) and hands them to {@code handler}; loop thread
     * only. The channel stays its owner's: closing it ends the registration.
     */
    public void listenDatagrams(java.nio.channels.DatagramChannel channel, DatagramHandler handler)
            throws IOException {
        channel.register(selector, SelectionKey.OP_READ, handler);
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
                if (buffered.isEmpty()) {
                    selector.select(Math.max(1, (nextTick - System.nanoTime()) / 1_000_000));
                } else {
                    selector.selectNow();
                }
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                var selected = selector.selectedKeys();
                for (SelectionKey key : selected) {
                    dispatch(key);
                }
                selected.clear();
                readBuffered();
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

    private void dispatch(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept((ServerSocketChannel) key.channel(), (Listener) key.attachment());
            return;
        }
        if (key.attachment() instanceof DatagramHandler handler) {
            receive((java.nio.channels.DatagramChannel) key.channel(), handler);
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isWritable() && c.flush()) {
                c.handler().onDrained(c);
            }
            if (key.isValid() && key.isReadable()) {
                read(c);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: closing after {}", c.remote(), e.toString());
            closeConnection(c);
        }
        if (!c.isClosed() && c.hasBufferedInput()) {
            buffered.add(c);
        }
    }

    private void read(Connection c) throws IOException {
        if (c.isClosing()) {
            boolean open = c.fill();
            c.input().clear(); // refused: whatever else it sends is discarded
            if (!open) {
                closeConnection(c);
            }
            return;
        }
        boolean open = c.fill();
        c.input().flip();
        try {
            c.handler().onInput(c);
        } finally {
            c.input().compact();
        }
        c.trackHead(System.nanoTime());
        if (!open) {
            closeConnection(c);
        } else if (!c.input().hasRemaining() && !c.isClosed()) {
            LOG.debug("{}: input buffer full without a whole request", c.remote());
            closeConnection(c);
        }
    }

    /**
     * Connections whose wire holds input that no readiness event will announce (TLS records decrypted beyond what
     * the input buffer took) are read again, as if readable, until it is taken.
     */
    private void readBuffered() {
        if (buffered.isEmpty()) {
            return;
        }
        List<Connection> again = List.copyOf(buffered);
        buffered.clear();
        for (Connection c : again) {
            if (c.isClosed() || !c.hasBufferedInput()) {
                continue;
            }
            try {
                read(c);
            } catch (IOException | RuntimeException e) {
                LOG.debug("{}: closing after {}", c.remote(), e.toString());
                closeConnection(c);
            }
            if (!c.isClosed() && c.hasBufferedInput()) {
                buffered.add(c);
            }
        }
    }

    private void receive(java.nio.channels.DatagramChannel channel, DatagramHandler handler) {
        for (int i = 0; i < DATAGRAMS_PER_WAKEUP; i++) {
            InetSocketAddress from;
            try {
                from = (InetSocketAddress) channel.receive(datagram.clear());
            } catch (IOException e) {
                return; // e.g. an ICMP error queued on the socket: nothing to read
            }
            if (from == null) {
                return;
            }
            handler.onDatagram(from, datagram.flip());
        }
    }

    private void accept(ServerSocketChannel server, Listener listener) {
        try {
            SocketChannel channel;
            while ((channel = server.accept()) != null) {
                if (connections >= maxConnections) {
                    LOG.warn("refusing connection from {}: {} connections open", channel.getRemoteAddress(),
                            connections);
                    channel.close();
                    continue;
                }
                java.net.InetAddress client = ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
                if (perClient.getOrDefault(client, 0) >= maxPerClient) {
                    LOG.warn("refusing connection from {}: it holds {} connections already", client.getHostAddress(),
                            maxPerClient);
                    channel.close();
                    continue;
                }
                channel.configureBlocking(false);
                channel.socket().setTcpNoDelay(true);
                Wire wire = listener.tls() == null ? new PlainWire(channel) : new TlsWire(channel, serverEngine(listener.tls()));
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                Connection c = new Connection(channel, wire, key, this, listener.handlers().get(), inputBytes,
                        queueLimit);
                key.attach(c);
                connections++;
                perClient.merge(client, 1, Integer::sum);
            }
        } catch (IOException e) {
            LOG.warn("accept failed: {}", e.toString());
        }
    }

    /** Closes refused connections whose grace period is over, and connections idle for too long. */
    private void closeExpired() {
        long now = System.nanoTime();
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof Connection c) {
                if (c.lingerExpired(now) || now - c.lastActivityNanos() > idleNanos) {
                    closeConnection(c);
                } else if (!c.isClosing() && c.headOverdue(now, headNanos)) {
                    LOG.debug("{}: no whole request head in time", c.remote());
                    if (c.handshaking()) {
                        closeConnection(c); // no TLS session to answer 408 in
                        continue;
                    }
                    try {
                        c.handler().onHeadTimeout(c);
                    } catch (IOException | RuntimeException e) {
                        closeConnection(c);
                    }
                }
            }
        }
    }

    void closeConnection(Connection c) {
        if (c.markClosed()) {
            connections--;
            perClient.computeIfPresent(c.remote().getAddress(), (k, v) -> v > 1 ? v - 1 : null);
            c.handler().onClose(c);
        }
    }

    private static SSLEngine serverEngine(SSLContext tls) {
        SSLEngine engine = tls.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters params = engine.getSSLParameters();
        params.setApplicationProtocols(new String[]{"http/1.1"}); // ALPN: no h2 here
        engine.setSSLParameters(params);
        return engine;
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
            } else if (!(key.attachment() instanceof DatagramHandler)) {
                key.channel().close(); // listening sockets; datagram channels belong to the engine
            }
        }
        selector.close();
    }
}
