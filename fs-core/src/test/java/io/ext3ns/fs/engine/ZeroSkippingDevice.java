package io.ext3ns.fs.engine;

import io.ext3ns.sda.testing.ForwardingDevice;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A device over a sparse image that does not write all-zero buffers (it only advances them), so a test can push
 * gigabytes of zero file data through the engine without gigabytes of disk I/O. Only valid for data written to
 * never-written blocks, which still read as zeros from the sparse file; metadata is written normally.
 */
final class ZeroSkippingDevice extends ForwardingDevice {
    private long skipped;

    ZeroSkippingDevice(BlockDevice inner) {
        super(inner);
    }

    synchronized long skippedBytes() {
        return skipped;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (allZero(src)) {
            synchronized (this) {
                skipped += src.remaining();
            }
            src.position(src.limit());
            return;
        }
        inner.write(offset, src);
    }

    private static boolean allZero(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        while (d.remaining() >= 8) {
            if (d.getLong() != 0) {
                return false;
            }
        }
        while (d.hasRemaining()) {
            if (d.get() != 0) {
                return false;
            }
        }
        return true;
    }
}
