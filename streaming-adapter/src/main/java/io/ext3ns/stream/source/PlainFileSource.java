package io.ext3ns.stream.source;

import com.sun.nio.file.ExtendedOpenOption;
import io.ext3ns.sda.AlignedBuffers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of the host file system: the peer of the EXT3NS fast path in tests and benchmarks ("plain read/send
 * path"). {@link #readDirect} uses O_DIRECT where the host file system supports it (tmpfs does not; then it falls
 * back to an ordinary pread, still straight into the caller's direct buffer).
 */
public final class PlainFileSource implements MediaSource {
    private final Path path;
    private final FileChannel legacy;
    private final FileChannel direct;
    private final long size;

    public PlainFileSource(Path path) throws IOException {
        this.path = path.toAbsolutePath();
        this.legacy = FileChannel.open(path, StandardOpenOption.READ);
        this.size = legacy.size();
        this.direct = openDirect(path);
    }

    private static FileChannel openDirect(Path path) {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT);
            ByteBuffer probe = AlignedBuffers.allocate(AlignedBuffers.PAGE);
            ch.read(probe, 0); // some file systems accept the open flag and refuse the read
            return ch;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public Object key() {
        return "file:" + path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int directAlignment() {
        return AlignedBuffers.PAGE;
    }

    /** True when reads bypass the page cache (O_DIRECT). */
    public boolean usesODirect() {
        return direct != null;
    }

    @Override
    public int readDirect(long offset, ByteBuffer dst) throws IOException {
        if (offset % AlignedBuffers.PAGE != 0 || dst.remaining() % AlignedBuffers.PAGE != 0) {
            throw new IllegalArgumentException("direct read must be page aligned: offset " + offset + ", length "
                    + dst.remaining());
        }
        return readFully(direct != null ? direct : legacy, offset, dst);
    }

    @Override
    public int readLegacy(long offset, ByteBuffer dst) throws IOException {
        return readFully(legacy, offset, dst);
    }

    private int readFully(FileChannel ch, long offset, ByteBuffer dst) throws IOException {
        int total = 0;
        while (dst.hasRemaining() && offset + total < size) {
            int n = ch.read(dst, offset + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return (int) Math.min(total, Math.max(0, size - offset));
    }

    @Override
    public String name() {
        return path.toString();
    }

    @Override
    public void close() throws IOException {
        legacy.close();
        if (direct != null) {
            direct.close();
        }
    }
}
