package io.ext3ns.fs.testing;

import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.testing.ForwardingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A member whose volatile write cache a power cut empties: writes are held in memory (reads see them) and reach the
 * member underneath only at {@link #flush}. {@link #cut} drops every write since the last flush and fails every
 * later call, as a machine that lost power; the member underneath then holds exactly what was flushed. The cut can
 * also come by itself at a chosen I/O: the {@code cutAt}-th write or flush (counted from {@link #arm}).
 */
public final class PowerCutDevice extends ForwardingDevice {
    private record Pending(long offset, byte[] bytes) {
    }

    private final List<Pending> unflushed = new ArrayList<>();
    private long ioCount;
    private long cutAt = Long.MAX_VALUE;
    private boolean cut;
    private long droppedWrites;

    public PowerCutDevice(BlockDevice inner) {
        super(inner);
    }

    /** Cuts the power at the {@code n}-th write or flush from now (that call is lost and fails), 1-based. */
    public synchronized void arm(long n) {
        ioCount = 0;
        cutAt = n;
    }

    /** Drops every write since the last flush; every later call fails. */
    public synchronized void cut() {
        droppedWrites += unflushed.size();
        unflushed.clear();
        cut = true;
    }

    public synchronized boolean isCut() {
        return cut;
    }

    /** Writes lost by the cut. */
    public synchronized long droppedWrites() {
        return droppedWrites;
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) throws IOException {
        checkPower();
        int start = dst.position();
        int len = dst.remaining();
        inner.read(offset, dst);
        for (Pending p : unflushed) { // later writes over earlier ones
            long from = Math.max(offset, p.offset);
            long to = Math.min(offset + len, p.offset + p.bytes.length);
            if (from < to) {
                dst.put(start + (int) (from - offset), p.bytes, (int) (from - p.offset), (int) (to - from));
            }
        }
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src) throws IOException {
        countIo();
        byte[] b = new byte[src.remaining()];
        src.get(b);
        unflushed.add(new Pending(offset, b));
    }

    @Override
    public synchronized void flush() throws IOException {
        countIo();
        for (Pending p : unflushed) {
            inner.write(p.offset, ByteBuffer.wrap(p.bytes));
        }
        unflushed.clear();
        inner.flush();
    }

    /** The member underneath stays open: the test closes it after the cut (the file system never will). */
    @Override
    public void close() {
    }

    private void countIo() throws IOException {
        checkPower();
        if (++ioCount >= cutAt) {
            cut();
            checkPower();
        }
    }

    private void checkPower() throws IOException {
        if (cut) {
            throw new IOException(name() + ": power cut");
        }
    }
}
