package io.ext3ns.sda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * One plain member (image file or block device) used as the whole device, with no array label: this is how
 * e2fsprogs' tools and the kernel see a single-member EXT3NS volume. I/O at any alignment: whole aligned pages
 * (every block transfer from an aligned buffer) go through a second, O_DIRECT descriptor where the member's file
 * system allows it, so a 1 GiB file is written once, by DMA, instead of copied into the page cache and written
 * back at fsync; anything else (a superblock, a heap buffer) goes through the page cache. Linux keeps the two
 * coherent: a direct transfer first writes back, and after a write drops, the cached pages it overlaps.
 */
public final class FileMember implements BlockDevice {
    private final RawMember member;
    /** The same member opened O_DIRECT (not locked: the lock is the buffered descriptor's), or null. */
    private final RawMember direct;

    public FileMember(Path path, boolean readOnly) throws IOException {
        this(path, readOnly ? OpenOptions.READ_ONLY : OpenOptions.READ_WRITE);
    }

    /** Opens {@code path} buffered; {@code options.exclusive()} locks it against a second open. */
    public FileMember(Path path, OpenOptions options) throws IOException {
        this.member = RawMember.open(path, options.buffered());
        try {
            // null where the file system refuses O_DIRECT: then the buffered descriptor serves everything, quietly
            this.direct = options.directIo() ? RawMember.openDirectOrNull(path, options.readOnly()) : null;
        } catch (IOException | RuntimeException e) {
            member.close();
            throw e;
        }
    }

    /** True when transfers of whole aligned pages bypass the page cache. */
    public boolean directTransfers() {
        return direct != null;
    }

    private RawMember memberFor(long offset, ByteBuffer buffer) {
        if (direct != null && (offset & (AlignedBuffers.PAGE - 1)) == 0
                && (buffer.remaining() & (AlignedBuffers.PAGE - 1)) == 0 && AlignedBuffers.isAligned(buffer)) {
            return direct;
        }
        return member;
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
        memberFor(offset, dst).read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        memberFor(offset, src).write(offset, src);
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
    public java.util.List<MemberExtent> locate(long offset, long length) {
        if (offset < 0 || length <= 0 || offset + length > size()) {
            throw new IllegalArgumentException(name() + ": cannot locate " + length + " bytes at " + offset);
        }
        return java.util.List.of(new MemberExtent(member.path(), offset, length));
    }

    @Override
    public void close() throws IOException {
        try {
            if (direct != null) {
                direct.close();
            }
        } finally {
            member.close();
        }
    }
}
