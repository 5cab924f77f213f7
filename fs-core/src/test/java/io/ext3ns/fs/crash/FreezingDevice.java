package io.ext3ns.fs.crash;

import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.testing.ForwardingDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Stops all I/O at a chosen point so the process can be killed exactly there: the {@code writes}-th write after the
 * {@code flushes}-th flush (0 writes: at that flush, before it runs; fewer writes come before the next flush: at
 * that next flush), counted from {@link #arm}. At that point it
 * calls {@code onFreeze} (which tells the killer) and blocks that call and every later one for good. Kill points
 * counted from flushes fall inside commits: between a journal's log writes and its commit record, between the
 * commit record and the blocks going home, in the middle of a journal-less write-back.
 */
final class FreezingDevice extends ForwardingDevice {
    private final Runnable onFreeze;
    private long flushTarget = Long.MAX_VALUE;
    private long writeTarget;
    private long flushes;
    private long writesSinceFlush;
    private boolean frozen;

    FreezingDevice(BlockDevice inner, Runnable onFreeze) {
        super(inner);
        this.onFreeze = onFreeze;
    }

    synchronized void arm(long flushes, long writes) {
        this.flushTarget = flushes;
        this.writeTarget = writes;
        this.flushes = 0;
        this.writesSinceFlush = 0;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        waitIfFrozen();
        super.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        synchronized (this) {
            waitIfFrozen();
            writesSinceFlush++;
            if (flushes == flushTarget && writesSinceFlush == writeTarget) {
                freeze();
            }
        }
        super.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        synchronized (this) {
            waitIfFrozen();
            if (flushes == flushTarget && writesSinceFlush < writeTarget) {
                freeze(); // fewer writes than asked before the next flush: stop at that flush instead
            }
            flushes++;
            writesSinceFlush = 0;
            if (flushes == flushTarget && writeTarget == 0) {
                freeze();
            }
        }
        super.flush();
    }

    private void freeze() {
        frozen = true;
        onFreeze.run();
        waitIfFrozen();
    }

    /** Blocks for good once frozen: the process is killed while every I/O thread waits here. */
    private synchronized void waitIfFrozen() {
        while (frozen) {
            try {
                wait();
            } catch (InterruptedException e) {
                // keep waiting: nothing may reach the device after the freeze
            }
        }
    }
}
