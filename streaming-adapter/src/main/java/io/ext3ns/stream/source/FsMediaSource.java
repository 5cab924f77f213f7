package io.ext3ns.stream.source;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file of an EXT3NS file system, in the same process: the fast path leases units of the file system's block cache
 * ({@link FileSystem#leaseAsync}, shared with every other reader of the file), the legacy path copies with the
 * buffered {@link FileSystem#read}. The size is taken at open; a session streams the file as it was then.
 */
public final class FsMediaSource implements MediaSource {
    private final FileSystem fs;
    private final String path;
    private final FileHandle handle;
    private final long size;
    private final Object key;

    /** Opens {@code path} (absolute, inside the file system) read-only; refuses anything but a regular file. */
    public FsMediaSource(FileSystem fs, String path) throws IOException {
        this.fs = fs;
        this.path = path;
        long ino = fs.resolve(path);
        Attr attr = fs.getattr(ino);
        if (!attr.isRegular()) {
            throw new FsException(Errno.EINVAL, path + " is not a regular file");
        }
        this.handle = fs.open(ino, false);
        this.size = attr.size();
        // same file system instance, inode and modification: same bytes, so sessions may share units
        this.key = new ContentKey(fs, ino, attr.mtimeNanos(), attr.size());
    }

    /** {@code fileSystem} compares by identity (FileSystem does not define equals). */
    private record ContentKey(FileSystem fileSystem, long ino, long mtimeNanos, long size) {
    }

    @Override
    public Object key() {
        return key;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int directAlignment() {
        return fs.blockSize();
    }

    @Override
    public int readDirect(long offset, ByteBuffer dst) throws IOException {
        return readLegacy(offset, dst); // copies from the block cache: what trick play reads is shared too
    }

    @Override
    public int unitBytes() {
        return fs.cacheUnitBytes();
    }

    @Override
    public java.util.concurrent.CompletableFuture<io.ext3ns.fs.cache.CachedBlock> lease(long unitNumber) {
        return fs.leaseAsync(handle, unitNumber);
    }

    @Override
    public int readLegacy(long offset, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            int n = fs.read(handle, offset + total, dst);
            if (n <= 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public java.util.List<io.ext3ns.sda.MemberExtent> locate(long offset, long length) throws IOException {
        return fs.locateDirect(handle, offset, length);
    }

    @Override
    public String name() {
        return "ext3ns:" + path;
    }

    @Override
    public void close() throws IOException {
        fs.release(handle);
    }
}
