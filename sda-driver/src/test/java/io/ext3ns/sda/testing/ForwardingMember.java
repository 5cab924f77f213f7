package io.ext3ns.sda.testing;

import io.ext3ns.sda.MemberIo;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A member that passes everything to another: the base for wrappers that add latency, faults or counting. */
public abstract class ForwardingMember implements MemberIo {
    protected final MemberIo inner;

    protected ForwardingMember(MemberIo inner) {
        this.inner = inner;
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
    public void sync() throws IOException {
        inner.sync();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public long size() {
        return inner.size();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
