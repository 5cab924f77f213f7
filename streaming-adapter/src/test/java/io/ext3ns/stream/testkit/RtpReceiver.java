package io.ext3ns.stream.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback RTP receiver for tests: records every datagram's header fields and arrival time and rebuilds the
 * payload stream (what the client would write to a .ts file). Closing stops the thread and the socket.
 */
public final class RtpReceiver implements AutoCloseable {
    /** One received RTP packet. */
    public record Packet(int sequence, long timestamp, int ssrc, int payloadType, int payloadLength,
                         long arrivalNanos) {
    }

    private final DatagramChannel channel;
    private final Thread thread;
    private final ByteArrayOutputStream payload = new ByteArrayOutputStream();
    private final List<Packet> packets = new ArrayList<>();
    private volatile boolean running = true;

    public RtpReceiver() throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::receive, "test-rtp-receiver");
        thread.setDaemon(true);
        thread.start();
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    private void receive() {
        ByteBuffer buf = ByteBuffer.allocateDirect(65_536);
        byte[] copy = new byte[65_536];
        while (running) {
            try {
                buf.clear();
                channel.receive(buf);
                long now = System.nanoTime();
                buf.flip();
                int len = buf.remaining();
                buf.get(copy, 0, len);
                if (len < 12) {
                    continue;
                }
                Packet p = new Packet(((copy[2] & 0xff) << 8) | (copy[3] & 0xff),
                        ByteBuffer.wrap(copy, 4, 4).getInt() & 0xffffffffL, ByteBuffer.wrap(copy, 8, 4).getInt(),
                        copy[1] & 0x7f, len - 12, now);
                synchronized (this) {
                    packets.add(p);
                    payload.write(copy, 12, len - 12);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (running) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    public synchronized List<Packet> packets() {
        return List.copyOf(packets);
    }

    /** Every payload concatenated in arrival order. */
    public synchronized byte[] payloadStream() {
        return payload.toByteArray();
    }

    public synchronized long payloadBytes() {
        return payload.size();
    }

    /** Waits until at least {@code bytes} payload bytes arrived or the timeout passed; returns whether they did. */
    public boolean awaitBytes(long bytes, long timeoutMillis) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMillis;
        while (payloadBytes() < bytes && System.currentTimeMillis() < end) {
            Thread.sleep(5);
        }
        return payloadBytes() >= bytes;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        running = false;
        channel.close();
        thread.join(2000);
    }
}
