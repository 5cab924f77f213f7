package io.ext3ns.fuse.jnr;

import com.kenai.jffi.MemoryIO;
import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.StatFs;
import io.ext3ns.fs.util.FileNames;
import io.ext3ns.fuse.ops.FuseOps;
import io.ext3ns.fuse.ops.FuseRequestMetrics;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

import java.nio.ByteBuffer;

/**
 * What the libfuse 2 and libfuse 3 adapters share: running one upcall so that nothing escapes into jffi (an
 * {@link FsException} becomes its -errno, anything else is logged and becomes -EIO), and filling libc's structs
 * (struct stat, struct statvfs, struct timespec have the same layout under both libraries).
 */
final class Upcalls {
    private static final Logger log = LoggerFactory.getLogger(Upcalls.class);
    /** utimensat(2)'s special tv_nsec values, which libfuse passes through from the kernel. */
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private Upcalls() {
    }

    /** One FUSE call: returns 0 or a byte count, or throws. */
    @FunctionalInterface
    interface Call {
        int run() throws FsException;
    }

    /** A FUSE call with nothing to return but success. */
    @FunctionalInterface
    interface Action {
        void run() throws FsException;
    }

    static int call(String op, String path, Call call) {
        long start = System.nanoTime();
        int answer;
        try {
            answer = call.run();
        } catch (FsException e) {
            log.debug("{} {}: {}", op, path, e.getMessage());
            answer = -e.errno().code();
        } catch (Throwable t) {
            log.error("{} {} failed unexpectedly; answering EIO", op, path, t);
            answer = -ErrorCodes.EIO();
        }
        FuseRequestMetrics.PROCESS.record(op, System.nanoTime() - start, answer < 0);
        return answer;
    }

    static int run(String op, String path, Action action) {
        return call(op, path, () -> {
            action.run();
            return 0;
        });
    }

    /** A direct ByteBuffer over the native request buffer, so data moves without an extra copy. */
    static ByteBuffer view(Pointer buf, long size) {
        return MemoryIO.getInstance().newDirectByteBuffer(buf.address(), Math.toIntExact(size));
    }

    static int fill(FileStat stat, Attr attr) {
        stat.st_ino.set(attr.ino());
        stat.st_mode.set(attr.mode());
        stat.st_nlink.set(attr.nlink());
        stat.st_uid.set(attr.uid());
        stat.st_gid.set(attr.gid());
        stat.st_rdev.set(attr.rdev() & 0xFFFF_FFFFL); // new_encode_dev form: unsigned
        stat.st_size.set(attr.size());
        stat.st_blocks.set(attr.blocks512());
        stat.st_blksize.set(attr.blksize());
        setTime(stat.st_atim, attr.atimeNanos());
        setTime(stat.st_mtim, attr.mtimeNanos());
        setTime(stat.st_ctim, attr.ctimeNanos());
        return 0;
    }

    private static void setTime(Timespec ts, long nanos) {
        ts.tv_sec.set(Math.floorDiv(nanos, 1_000_000_000L));
        ts.tv_nsec.set(Math.floorMod(nanos, 1_000_000_000L));
    }

    static int fill(Statvfs st, StatFs s) {
        st.f_bsize.set(s.blockSize());
        st.f_frsize.set(s.blockSize());
        st.f_blocks.set(s.totalBlocks());
        st.f_bfree.set(s.freeBlocks());
        st.f_bavail.set(s.availableBlocks());
        st.f_files.set(s.totalInodes());
        st.f_ffree.set(s.freeInodes());
        st.f_favail.set(s.freeInodes());
        st.f_namemax.set(s.maxNameLength());
        return 0;
    }

    /** A utimens time in nanoseconds since the epoch, "now" resolved, or {@link FuseOps#TIME_OMIT}. */
    static long nanos(Timespec ts) {
        long nsec = ts.tv_nsec.longValue();
        if (nsec == UTIME_OMIT) {
            return FuseOps.TIME_OMIT;
        }
        if (nsec == UTIME_NOW) {
            java.time.Instant now = java.time.Instant.now();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }
        return ts.tv_sec.get() * 1_000_000_000L + nsec;
    }

    /**
     * A path or name libfuse passes (a NUL-terminated char *, or NULL: null), as the String {@link FileNames} decodes
     * its bytes to. Not jnr-ffi's String conversion, which uses the JVM's charset and replaces bytes that are not
     * UTF-8 with U+FFFD, so that a name such as $'caf\xe9' would reach the engine as other bytes.
     */
    static String path(Pointer p) {
        if (p == null) {
            return null;
        }
        int n = p.indexOf(0, (byte) 0);
        if (n < 0) {
            throw new IllegalArgumentException("path without a NUL");
        }
        byte[] bytes = new byte[n];
        p.get(0, bytes, 0, n);
        return FileNames.decode(bytes);
    }

    /** readlink's answer: a NUL-terminated string, truncated to fit the buffer, as libfuse wants it. */
    static int copyLink(String target, Pointer buf, long size) {
        byte[] bytes = FileNames.encode(target);
        int n = (int) Math.min(bytes.length, size - 1);
        buf.put(0, bytes, 0, n);
        buf.putByte(n, (byte) 0);
        return 0;
    }

    // ---- extended attributes ----

    /** getxattr's answer: with size 0 the length needed, else the value, or ERANGE if it does not fit. */
    static int copyValue(byte[] value, Pointer buf, long size) {
        if (size == 0) {
            return value.length;
        }
        if (value.length > size) {
            return -ErrorCodes.ERANGE();
        }
        buf.put(0, value, 0, value.length);
        return value.length;
    }

    /** listxattr's answer: the names, each NUL-terminated, sized as {@link #copyValue}. */
    static int copyNames(java.util.List<String> names, Pointer buf, long size) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String name : names) {
            byte[] b = FileNames.encode(name);
            out.write(b, 0, b.length);
            out.write(0);
        }
        return copyValue(out.toByteArray(), buf, size);
    }

    /** setxattr's value from the request buffer (none when size is 0). */
    static byte[] bytes(Pointer value, long size) {
        byte[] b = new byte[Math.toIntExact(size)];
        if (size > 0) {
            value.get(0, b, 0, b.length);
        }
        return b;
    }
}
