package io.ext3ns.fs.disk;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Whole-block I/O on a {@link BlockDevice}: every transfer is a whole number of file-system blocks at a block-aligned
 * offset through an aligned staging buffer, which is what an SDA array (alignment = block size) and O_DIRECT members
 * require. Not thread-safe: one staging buffer per instance (offline tools and the formatter are single-threaded).
 */
public final class DeviceBlocks {
    /** Largest single transfer; bigger zero-fills and reads are split. */
    private static final int MAX_CHUNK = 8 << 20;

    private final BlockDevice device;
    private final int blockSize;
    private final long blockCount;
    private final ByteBuffer staging;
    private ByteBuffer zeros;

    public DeviceBlocks(BlockDevice device, int blockSize) {
        if (blockSize % device.alignment() != 0) {
            throw new IllegalArgumentException(device.name() + ": device alignment " + device.alignment()
                    + " does not divide the block size " + blockSize);
        }
        this.device = device;
        this.blockSize = blockSize;
        this.blockCount = device.size() / blockSize;
        int chunk = Math.max(blockSize, MAX_CHUNK / blockSize * blockSize);
        this.staging = AlignedBuffers.allocate(chunk, Math.max(device.alignment(), AlignedBuffers.PAGE));
    }

    public int blockSize() {
        return blockSize;
    }

    /** Whole blocks the device holds. */
    public long deviceBlocks() {
        return blockCount;
    }

    public BlockDevice device() {
        return device;
    }

    /** Reads one block. */
    public byte[] read(long block) throws IOException {
        byte[] out = new byte[blockSize];
        read(block, out);
        return out;
    }

    /** Reads {@code dst.length / blockSize} consecutive blocks starting at {@code block}. */
    public void read(long block, byte[] dst) throws IOException {
        checkWhole(dst.length);
        int done = 0;
        while (done < dst.length) {
            int n = Math.min(staging.capacity(), dst.length - done);
            staging.clear().limit(n);
            device.read(offset(block, done), staging);
            staging.flip().get(dst, done, n);
            done += n;
        }
    }

    /** Writes {@code src.length / blockSize} consecutive blocks starting at {@code block}. */
    public void write(long block, byte[] src) throws IOException {
        checkWhole(src.length);
        int done = 0;
        while (done < src.length) {
            int n = Math.min(staging.capacity(), src.length - done);
            staging.clear();
            staging.put(src, done, n).flip();
            device.write(offset(block, done), staging);
            done += n;
        }
    }

    /** Writes zeros over {@code count} blocks starting at {@code block}, in large transfers. */
    public void zero(long block, long count) throws IOException {
        if (zeros == null) { // a fresh direct buffer is zero-filled and is never written into
            zeros = AlignedBuffers.allocate(staging.capacity(), Math.max(device.alignment(), AlignedBuffers.PAGE));
        }
        offset(block, 0);
        long bytes = count * blockSize;
        long done = 0;
        while (done < bytes) {
            int n = (int) Math.min(zeros.capacity(), bytes - done);
            device.write(block * blockSize + done, zeros.duplicate().clear().limit(n));
            done += n;
        }
    }

    public void flush() throws IOException {
        device.flush();
    }

    private long offset(long block, int byteDelta) throws IOException {
        if (block < 0 || block >= blockCount) {
            throw new IOException(device.name() + ": block " + block + " is outside the device (" + blockCount
                    + " blocks of " + blockSize + " bytes)");
        }
        return block * blockSize + byteDelta;
    }

    private void checkWhole(int length) {
        if (length % blockSize != 0) {
            throw new IllegalArgumentException("transfer of " + length + " bytes is not whole " + blockSize
                    + "-byte blocks");
        }
    }
}
