package io.ext3ns.fs.journal;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Whole-block reads and writes of file-system blocks through aligned buffers, as every BlockDevice accepts. */
final class BlockIo {
    private final BlockDevice dev;
    private final int blockSize;
    private final ByteBuffer buf;

    BlockIo(BlockDevice dev, int blockSize) {
        this.dev = dev;
        this.blockSize = blockSize;
        this.buf = AlignedBuffers.allocate(blockSize, Math.max(AlignedBuffers.PAGE, dev.alignment()));
    }

    int blockSize() {
        return blockSize;
    }

    BlockDevice device() {
        return dev;
    }

    synchronized byte[] read(long block) throws IOException {
        buf.clear();
        dev.read(block * blockSize, buf);
        byte[] out = new byte[blockSize];
        buf.flip().get(out);
        return out;
    }

    synchronized void write(long block, byte[] content) throws IOException {
        if (content.length != blockSize) {
            throw new IllegalArgumentException("block " + block + ": " + content.length + " bytes, expected " + blockSize);
        }
        buf.clear();
        buf.put(content).flip();
        dev.write(block * blockSize, buf);
    }

    void flush() throws IOException {
        dev.flush();
    }
}
