package io.ext3ns.sda;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * One plain member (image file or block device) used as the whole device, with no array label: this is how
 * e2fsprogs' tools and the kernel see a single-member EXT3NS volume. Buffered I/O; the SDA module adds O_DIRECT.
 */
public final class FileMember implements BlockDevice {
    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long size;

    public FileMember(Path path, boolean readOnly) throws IOException {
        this.path = path;
        this.readOnly = readOnly;
        Set<StandardOpenOption> opts = readOnly
                ? EnumSet.of(StandardOpenOption.READ)
                : EnumSet.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.channel = FileChannel.open(path, opts);
        this.size = Files.isRegularFile(path) ? channel.size() : BlockDeviceSize.of(path, channel);
    }

    @Override
    public int alignment() {
        return 1;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new EOFException(path + ": unexpected end of member at offset " + pos);
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new ReadOnlyFileSystemException();
        }
        checkRange(offset, src.remaining());
        long pos = offset;
        while (src.hasRemaining()) {
            pos += channel.write(src, pos);
        }
    }

    private void checkRange(long offset, int length) throws IOException {
        if (offset < 0 || offset + length > size) {
            throw new EOFException(path + ": I/O at offset " + offset + " length " + length
                    + " is outside the member (" + size + " bytes)");
        }
    }

    @Override
    public void flush() throws IOException {
        if (!readOnly) {
            channel.force(false);
        }
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
