package io.ext3ns.sda;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One array member as the pipelined I/O manager sees it: positional, complete transfers. {@link RawMember} is the
 * real one (a file or block device, O_DIRECT where possible); tests and benchmarks wrap it to inject errors or
 * latency.
 */
public interface MemberIo extends Closeable {

    /** The member's path, for messages. */
    String name();

    /** Size of the member in bytes. */
    long size();

    /** Reads exactly {@code dst.remaining()} bytes at {@code offset}. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes exactly {@code src.remaining()} bytes at {@code offset}. */
    void write(long offset, ByteBuffer src) throws IOException;

    /** Makes written data durable (fdatasync). */
    void sync() throws IOException;

    /**
     * An open file descriptor of the member (opened as {@link #read}/{@link #write} are: same access, same O_DIRECT)
     * for engines that hand requests to the kernel themselves (io_uring), or -1 when every request must go through
     * {@link #read}/{@link #write}/{@link #sync} — as for wrappers that inject faults or latency, which therefore
     * do not forward it.
     */
    default int nativeDescriptor() {
        return -1;
    }

    /**
     * The member's file or disk, for readers that may read its bytes themselves (see
     * {@link BlockDevice#locate}), or null when they must not: wrappers that change what is read do not forward it.
     */
    default java.nio.file.Path path() {
        return null;
    }
}
