package io.ext3ns.fs.testing;

import io.ext3ns.sda.testing.ForwardingDevice;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Wraps a device and insists, as an SDA array does, that every offset, length and buffer address is a multiple of
 * {@code alignment}; counts the bytes written so tests can check what a tool wrote (or that it wrote nothing).
 */
public final class StrictAlignedDevice extends ForwardingDevice {
    private final int alignment;
    private long bytesWritten;

    public StrictAlignedDevice(BlockDevice inner, int alignment) {
        super(inner);
        this.alignment = alignment;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    @Override
    public int alignment() {
        return alignment;
    }

    @Override
    public long size() {
        return inner.size() / alignment * alignment;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        check(offset, dst);
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        check(offset, src);
        bytesWritten += src.remaining();
        inner.write(offset, src);
    }

    private void check(long offset, ByteBuffer buf) {
        if (offset % alignment != 0 || buf.remaining() % alignment != 0) {
            throw new IllegalArgumentException("unaligned I/O: offset " + offset + " length " + buf.remaining()
                    + " (alignment " + alignment + ")");
        }
        if (!buf.isDirect() || buf.alignmentOffset(buf.position(), Math.min(alignment, 4096)) != 0) {
            throw new IllegalArgumentException("buffer address not aligned");
        }
    }
}
