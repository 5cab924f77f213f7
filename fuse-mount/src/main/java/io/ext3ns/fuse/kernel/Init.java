package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fuse.ops.FuseBackend;

import java.util.List;

/**
 * The INIT handshake: the protocol minor both sides speak, the capabilities we take of those the kernel offers,
 * and the request size (max_write and max_pages; 2 MiB where the kernel's max_pages_limit allows).
 */
final class Init {
    private static final int PAGE = 4096;
    private static final int MAX_BACKGROUND = 64;
    private static final int CONGESTION_THRESHOLD = 48;
    /** What we ask for always: see the protocol's flag comments in {@link FuseProtocol}. */
    private static final int WANTED = FuseProtocol.ASYNC_READ | FuseProtocol.ATOMIC_O_TRUNC | FuseProtocol.BIG_WRITES
            | FuseProtocol.DO_READDIRPLUS | FuseProtocol.READDIRPLUS_AUTO | FuseProtocol.ASYNC_DIO
            | FuseProtocol.PARALLEL_DIROPS | FuseProtocol.MAX_PAGES | FuseProtocol.CACHE_SYMLINKS;

    private Init() {
    }

    /** What the handshake settled. */
    record Negotiated(int minor, int flags, int maxWrite, int openFlags) {
    }

    /**
     * Reads fuse_init_in from {@code r} and puts fuse_init_out into {@code out}. With the marker option
     * {@value FuseBackend#POSIX_ACL} the kernel enforces POSIX ACLs and leaves the umask to us (DONT_MASK), so
     * that a directory's default ACL can replace it.
     */
    static Negotiated answer(Request r, Reply out, List<String> options, int maxPages) throws FsException {
        int major = r.u32();
        int minor = r.u32();
        int maxReadahead = r.u32();
        int offered = r.u32();
        if (major != FuseProtocol.KERNEL_VERSION || minor < 28) {
            throw new FsException(Errno.EINVAL, "kernel FUSE protocol " + major + "." + minor
                    + " is not supported (7.28 or later needed)");
        }
        int want = WANTED;
        if (options.contains(FuseBackend.POSIX_ACL)) {
            if ((offered & FuseProtocol.POSIX_ACL) == 0) {
                throw new FsException(Errno.EINVAL, "the kernel cannot enforce POSIX ACLs (no FUSE_POSIX_ACL)");
            }
            want |= FuseProtocol.POSIX_ACL | FuseProtocol.DONT_MASK;
        }
        int flags = offered & want;
        int pages = (flags & FuseProtocol.MAX_PAGES) != 0 ? maxPages : 32;
        int maxWrite = pages * PAGE;
        int ours = Math.min(minor, FuseProtocol.KERNEL_MINOR);
        out.u32(FuseProtocol.KERNEL_VERSION);
        out.u32(ours);
        out.u32(maxReadahead);
        out.u32(flags);
        out.buf.putShort((short) MAX_BACKGROUND);
        out.buf.putShort((short) CONGESTION_THRESHOLD);
        out.u32(maxWrite);
        out.u32(1); // time_gran: nanosecond timestamps
        out.buf.putShort((short) pages);
        out.buf.putShort((short) 0); // map_alignment
        out.u32(0); // flags2
        out.u32(0); // max_stack_depth
        out.zeros(FuseProtocol.INIT_OUT - 40);
        int openFlags = (options.contains("kernel_cache") ? FuseProtocol.FOPEN_KEEP_CACHE : 0)
                | (options.contains("direct_io")
                        ? FuseProtocol.FOPEN_DIRECT_IO | FuseProtocol.FOPEN_PARALLEL_DIRECT_WRITES : 0);
        return new Negotiated(ours, flags, maxWrite, openFlags);
    }
}
