package io.ext3ns.sda.testing;

import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A device that passes everything to another: the base of wrappers that check, count or skip I/O (tests,
 * benchmarks). The async calls are deliberately not forwarded: they reach the wrapper's own read/write through
 * {@link BlockDevice}'s defaults, so an override of read or write sees every transfer.
 */
public abstract class ForwardingDevice implements BlockDevice {
    protected final BlockDevice inner;

    protected ForwardingDevice(BlockDevice inner) {
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
        inner.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
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
