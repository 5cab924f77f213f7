package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole-block I/O on the device: every transfer starts at a block boundary and covers whole blocks, through aligned
 * direct buffers (a small pool, so 1 MiB blocks do not allocate a direct buffer per read). Block numbers are checked
 * against the volume before any I/O. Data blocks may be written behind the caller ({@link WriteBehind}); every read
 * and synchronous write here first waits for a queued write of the same block.
 */
public final class BlockIo {
    /** The largest single write of zeros {@link #zeroRun} makes. */
    static final int ZERO_CHUNK_BYTES = 8 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(BlockIo.class);
    private static final int POOL_MAX = 16;

    private final BlockDevice device;
    private final int blockSize;
    private final long blocksCount;
    private final int bufferAlignment;
    private final ConcurrentLinkedDeque<ByteBuffer> pool = new ConcurrentLinkedDeque<>();
    private final AtomicInteger pooled = new AtomicInteger();
    private final WriteBehind writeBehind;
    /** Bytes read from the device (its members) by every path, plus bytes handed out for sendfile from them. */
    private final java.util.concurrent.atomic.AtomicLong memberReadBytes = new java.util.concurrent.atomic.AtomicLong();

    public BlockIo(BlockDevice device, int blockSize, long blocksCount) throws FsException {
        this.device = device;
        this.blockSize = blockSize;
        this.blocksCount = blocksCount;
        int align = Math.max(1, device.alignment());
        if (blockSize % align != 0) {
            throw new FsException(Errno.EINVAL, device.name() + ": device alignment " + align
                    + " does not divide the file system block size " + blockSize);
        }
        if (blocksCount * (long) blockSize > device.size()) {
            throw new FsException(Errno.EINVAL, device.name() + ": file system of " + blocksCount + " blocks of "
                    + blockSize + " bytes is larger than the device (" + device.size() + " bytes)");
        }
        this.bufferAlignment = Integer.bitCount(align) == 1 ? Math.max(align, AlignedBuffers.PAGE)
                : AlignedBuffers.PAGE;
        this.writeBehind = new WriteBehind(device, blockSize, this::giveBack);
    }

    public BlockDevice device() {
        return device;
    }

    public int blockSize() {
        return blockSize;
    }

    public boolean readOnly() {
        return device.readOnly();
    }

    /** Reads one block into a fresh heap array. */
    public byte[] readBlock(long blockNr) throws IOException {
        checkRange(blockNr, 1);
        writeBehind.await(blockNr, 1);
        ByteBuffer buf = borrow();
        try {
            readLogged(blockNr, 1, buf);
            byte[] out = new byte[blockSize];
            buf.flip().get(out);
            return out;
        } finally {
            giveBack(buf);
        }
    }

    /** Writes one whole block from a heap array. */
    public void writeBlock(long blockNr, byte[] data) throws IOException {
        if (data.length != blockSize) {
            throw new IllegalArgumentException("block write of " + data.length + " bytes");
        }
        checkRange(blockNr, 1);
        writeBehind.await(blockNr, 1);
        ByteBuffer buf = borrow();
        try {
            buf.put(data).flip();
            device.write(blockNr * blockSize, buf);
        } finally {
            giveBack(buf);
        }
    }

    /**
     * Writes zeros over {@code count} consecutive blocks from {@code firstBlock}, in writes of up to
     * {@link #ZERO_CHUNK_BYTES} (fallocate: ext3 has no unwritten extents, so preallocated blocks are zeroed on disk).
     */
    public void zeroRun(long firstBlock, long count) throws IOException {
        if (count <= 0) {
            return;
        }
        if (firstBlock < 0 || count > blocksCount - firstBlock) {
            throw new FsException(Errno.EIO, "blocks " + firstBlock + " (+" + count + ") outside the volume of "
                    + blocksCount + " blocks");
        }
        writeBehind.await(firstBlock, count);
        int chunkBlocks = Math.max(1, ZERO_CHUNK_BYTES / blockSize);
        ByteBuffer zeros = AlignedBuffers.allocate((int) Math.min(count, chunkBlocks) * blockSize);
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(count - done, chunkBlocks);
            zeros.clear().limit(n * blockSize);
            device.write((firstBlock + done) * blockSize, zeros);
            done += n;
        }
    }

    /**
     * Reads {@code count} consecutive blocks straight into {@code dst} (a device-aligned buffer whose remaining bytes
     * are exactly {@code count} blocks): the fast path, no intermediate copy.
     */
    public void readRunInto(long firstBlock, int count, ByteBuffer dst) throws IOException {
        checkRange(firstBlock, count);
        writeBehind.await(firstBlock, count);
        readLogged(firstBlock, count, dst);
    }

    /**
     * Where blocks [{@code firstBlock}, +{@code count}) lie on the device's members, once any write-behind of them
     * has reached the device; null when the device cannot say.
     */
    public java.util.List<io.ext3ns.sda.MemberExtent> locateRun(long firstBlock, int count) throws FsException {
        checkRange(firstBlock, count);
        writeBehind.await(firstBlock, count);
        java.util.List<io.ext3ns.sda.MemberExtent> where = device.locate(firstBlock * blockSize,
                (long) count * blockSize);
        if (where != null) {
            memberReadBytes.addAndGet((long) count * blockSize); // the caller sends them from the members
        }
        return where;
    }

    /** Bytes read from the device by every path since open (data, metadata, read-ahead, located for sendfile). */
    public long memberReadBytes() {
        return memberReadBytes.get();
    }

    /** A read whose failure is logged with the block and, from the array, the member and its offset. */
    private void readLogged(long firstBlock, int count, ByteBuffer dst) throws IOException {
        try {
            memberReadBytes.addAndGet(dst.remaining());
            device.read(firstBlock * blockSize, dst);
        } catch (IOException e) {
            logReadFailure(firstBlock, count, e);
            throw e;
        }
    }

    private void logReadFailure(long firstBlock, int count, Throwable e) {
        LOG.error("{}: reading block {} (+{}, device offset {}) failed: {}", device.name(), firstBlock, count,
                firstBlock * blockSize, e.getMessage());
    }

    /**
     * An aligned direct buffer of one block (position 0, limit the block size, contents undefined) to fill and hand
     * to {@link #writeBlockBehind}; a buffer not handed over may simply be dropped.
     */
    ByteBuffer blockBuffer() {
        return borrow();
    }

    /**
     * Queues a write of one whole block from {@code block} (a {@link #blockBuffer()}, which now belongs to the
     * write-behind) and returns, unless too many writes are outstanding; a failure goes to {@code onError}.
     */
    void writeBlockBehind(long blockNr, ByteBuffer block, Consumer<IOException> onError) throws IOException {
        checkRange(blockNr, 1);
        writeBehind.submit(blockNr, block.clear(), onError);
    }

    /** Waits for every write queued behind a caller so far (before metadata that points at the data is written). */
    void drainWrites() throws IOException {
        writeBehind.drain();
    }

    /** Waits for the queued writes and ends the write-behind thread (the volume is closing). */
    void closeWriteBehind() throws IOException {
        writeBehind.close();
    }

    /**
     * Starts an asynchronous read of one block (read-ahead) into a pooled aligned buffer; completes with the block
     * copied to a heap array, the buffer back in the pool.
     */
    public CompletableFuture<byte[]> readBlockAsync(long blockNr) {
        try {
            checkRange(blockNr, 1);
        } catch (FsException e) {
            return CompletableFuture.failedFuture(e);
        }
        writeBehind.await(blockNr, 1);
        ByteBuffer buf = borrow();
        memberReadBytes.addAndGet(blockSize);
        return device.readAsync(blockNr * blockSize, buf).handle((v, err) -> {
            try {
                if (err != null) {
                    logReadFailure(blockNr, 1, err instanceof CompletionException ce && ce.getCause() != null
                            ? ce.getCause() : err);
                    throw err instanceof CompletionException ce ? ce : new CompletionException(err);
                }
                byte[] out = new byte[blockSize];
                buf.flip().get(out);
                return out;
            } finally {
                giveBack(buf);
            }
        });
    }

    public void flush() throws IOException {
        device.flush();
    }

    private void checkRange(long blockNr, int count) throws FsException {
        if (blockNr < 0 || count < 0 || blockNr + count > blocksCount) {
            throw new FsException(Errno.EIO, "block " + blockNr + " (+" + count + ") outside the volume of "
                    + blocksCount + " blocks");
        }
    }

    private ByteBuffer borrow() {
        ByteBuffer b = pool.pollFirst();
        if (b == null) {
            return newBuffer();
        }
        pooled.decrementAndGet();
        return b.clear();
    }

    /**
     * An aligned direct buffer of exactly one block. Allocated a whole alignment unit large first: AlignedBuffers
     * returns an empty buffer when the size is below the alignment (a 1 KiB block with 4 KiB alignment).
     */
    private ByteBuffer newBuffer() {
        int size = Math.max(blockSize, bufferAlignment);
        return AlignedBuffers.allocate(size, bufferAlignment).limit(blockSize).slice();
    }

    private void giveBack(ByteBuffer b) {
        if (pooled.incrementAndGet() <= POOL_MAX) {
            pool.offerFirst(b);
        } else {
            pooled.decrementAndGet();
        }
    }
}
