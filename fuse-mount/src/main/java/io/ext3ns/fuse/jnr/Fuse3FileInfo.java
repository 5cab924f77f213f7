package io.ext3ns.fuse.jnr;

import jnr.ffi.Pointer;

/**
 * libfuse 3's struct fuse_file_info (LP64), read and written in place: int32 flags at 0; the bit-field word at 4
 * (writepage bit 0, direct_io bit 1, keep_cache bit 2, ...); fh at 16. No struct object per call.
 */
final class Fuse3FileInfo {
    private static final long FLAGS = 0;
    private static final long BITS = 4;
    private static final int DIRECT_IO = 1 << 1;
    private static final long FH = 16;

    private Fuse3FileInfo() {
    }

    static int flags(Pointer fi) {
        return fi.getInt(FLAGS);
    }

    static long fh(Pointer fi) {
        return fi.getLong(FH);
    }

    static void setFh(Pointer fi, long fh) {
        fi.putLong(FH, fh);
    }

    static void setDirectIo(Pointer fi) {
        fi.putInt(BITS, fi.getInt(BITS) | DIRECT_IO);
    }
}
