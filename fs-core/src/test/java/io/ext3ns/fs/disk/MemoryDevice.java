package io.ext3ns.fs.disk;

import io.ext3ns.sda.BlockDevice;
import java.nio.ByteBuffer;

/** A byte array as a block device, with a chosen alignment: small hand-built images for unit tests. */
final class MemoryDevice implements BlockDevice {
    final byte[] bytes;
    private final int alignment;

    MemoryDevice(int size, int alignment) {
        this.bytes = new byte[size];
        this.alignment = alignment;
    }

    @Override
    public int alignment() {
        return alignment;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public boolean readOnly() {
        return true;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public void write(long offset, ByteBuffer src) {
        throw new UnsupportedOperationException("read-only test device");
    }

    @Override
    public void flush() {
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public void close() {
    }
}
