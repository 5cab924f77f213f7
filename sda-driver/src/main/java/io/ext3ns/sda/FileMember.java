package io.ext3ns.sda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One plain member (image file or block device) used as the whole device, with no array label: this is how
 * e2fsprogs' tools and the kernel see a single-member EXT3NS volume. Buffered I/O at any alignment, so that the
 * image stays coherent with tools that read it through the page cache.
 */
public final class FileMember implements BlockDevice {
    private final RawMember member;

    public FileMember(Path path, boolean readOnly) throws IOException {
        this(path, readOnly ? OpenOptions.READ_ONLY : OpenOptions.READ_WRITE);
    }

    /** Opens {@code path} buffered; {@code options.exclusive()} locks it against a second open. */
    public FileMember(Path path, OpenOptions options) throws IOException {
        this.member = RawMember.open(path, options.buffered());
    }

    @Override
    public int alignment() {
        return 1;
    }

    @Override
    public long size() {
        return member.size();
    }

    @Override
    public boolean readOnly() {
        return member.readOnly();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        member.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        member.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        member.sync();
    }

    @Override
    public String name() {
        return member.name();
    }

    @Override
    public void close() throws IOException {
        member.close();
    }
}
