package io.ext3ns.bench.journal;

import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.testing.ForwardingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/** A device that counts the bytes written and the flushes asked of the device it wraps. */
final class CountingDevice extends ForwardingDevice {
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong flushes = new AtomicLong();

    CountingDevice(BlockDevice inner) {
        super(inner);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        bytesWritten.addAndGet(src.remaining());
        super.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        flushes.incrementAndGet();
        super.flush();
    }
}
