package io.ext3ns.stream.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** The socket as it is: gathering writes straight from the caller's buffers, nothing held. */
final class PlainWire implements Wire {
    private final SocketChannel channel;

    PlainWire(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return channel.write(srcs);
    }

    @Override
    public boolean flush() {
        return true;
    }

    @Override
    public boolean flushed() {
        return true;
    }

    @Override
    public boolean hasBufferedInput() {
        return false;
    }

    @Override
    public boolean handshaking() {
        return false;
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }
}
