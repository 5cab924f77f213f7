package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.util.FileNames;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One request as read from /dev/fuse into a worker's buffer: the fuse_in_header, then a cursor over the body. Every
 * read is checked against the request's length (a short body is EINVAL, never a read past the request).
 */
final class Request {
    private final ByteBuffer buf;
    private int length;
    private int pos;
    int opcode;
    long unique;
    long nodeid;
    int uid;
    int gid;
    int pid;

    Request(ByteBuffer buf) {
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Parses the header of the {@code n} bytes just read; false when they are not a whole request. */
    boolean parse(int n) {
        if (n < FuseProtocol.IN_HEADER || buf.getInt(0) != n) {
            return false;
        }
        length = n;
        opcode = buf.getInt(4);
        unique = buf.getLong(8);
        nodeid = buf.getLong(16);
        uid = buf.getInt(24);
        gid = buf.getInt(28);
        pid = buf.getInt(32);
        pos = FuseProtocol.IN_HEADER;
        return true;
    }

    private void need(int n) throws FsException {
        if (n < 0 || pos + n > length) {
            throw new FsException(Errno.EINVAL, "FUSE request " + opcode + " is too short");
        }
    }

    int u32() throws FsException {
        need(4);
        int v = buf.getInt(pos);
        pos += 4;
        return v;
    }

    long u64() throws FsException {
        need(8);
        long v = buf.getLong(pos);
        pos += 8;
        return v;
    }

    void skip(int n) throws FsException {
        need(n);
        pos += n;
    }

    /** A NUL-terminated byte string, as bytes. */
    byte[] cstringBytes() throws FsException {
        int end = pos;
        while (end < length && buf.get(end) != 0) {
            end++;
        }
        if (end == length) {
            throw new FsException(Errno.EINVAL, "FUSE request " + opcode + " has an unterminated name");
        }
        byte[] b = new byte[end - pos];
        buf.get(pos, b);
        pos = end + 1;
        return b;
    }

    /** A NUL-terminated name, decoded as the engine names files (undecodable bytes kept, surrogate-escaped). */
    String name() throws FsException {
        return FileNames.decode(cstringBytes());
    }

    byte[] bytes(int n) throws FsException {
        need(n);
        byte[] b = new byte[n];
        buf.get(pos, b);
        pos += n;
        return b;
    }

    /** A view of the next {@code n} bytes (a write's data), without copying. */
    ByteBuffer slice(int n) throws FsException {
        need(n);
        ByteBuffer s = buf.slice(pos, n);
        pos += n;
        return s;
    }
}
