package io.ext3ns.fuse.ops;

/**
 * open(2)'s flags as every FUSE transport delivers them to {@link FuseOps#open}: Linux's numbers, which the kernel
 * passes on unchanged (less O_CREAT, O_EXCL and O_NOCTTY). O_TRUNC arrives only where the transport asked the
 * kernel for atomic O_TRUNC (libfuse 3 does); elsewhere the kernel truncates with a separate setattr first, so
 * honouring the flag here is right under every transport.
 */
public final class OpenFlags {
    public static final int O_ACCMODE = 03;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_TRUNC = 01000;

    private OpenFlags() {
    }

    /** True when the flags ask for writing (O_WRONLY or O_RDWR). */
    public static boolean writes(int flags) {
        return (flags & O_ACCMODE) != O_RDONLY;
    }

    /** True when the flags ask for writing only. */
    public static boolean writeOnly(int flags) {
        return (flags & O_ACCMODE) == O_WRONLY;
    }

    /** True when the open must first cut the file to length 0. */
    public static boolean truncates(int flags) {
        return (flags & O_TRUNC) != 0;
    }
}
