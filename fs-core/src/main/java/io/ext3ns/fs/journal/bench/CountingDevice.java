package io.ext3ns.fs.journal.bench;

import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/** A device that counts the bytes written and the flushes asked of the device it wraps. */
final class CountingDevice implements BlockDevice {
    private final BlockDevice inner;
    final AtomicLong bytesWritten = new AtomicLong();
    final AtomicLong flushes = new AtomicLong();

    CountingDevice(BlockDevice inner) {
        this.inner = inner;
    }

    @Override
    public int alignment() {
        return inner.alignment();
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public boolean readOnly() {
        return inner.readOnly();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        bytesWritten.addAndGet(src.remaining());
        inner.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        flushes.incrementAndGet();
        inner.flush();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
