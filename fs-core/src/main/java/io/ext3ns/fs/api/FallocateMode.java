package io.ext3ns.fs.api;

/** fallocate(2)'s mode bits (linux/falloc.h), as {@link FileSystem#fallocate(FileHandle, int, long, long)} takes. */
public final class FallocateMode {
    public static final int KEEP_SIZE = 0x01;
    public static final int PUNCH_HOLE = 0x02;
    public static final int NO_HIDE_STALE = 0x04;
    public static final int COLLAPSE_RANGE = 0x08;
    public static final int ZERO_RANGE = 0x10;
    public static final int INSERT_RANGE = 0x20;
    public static final int UNSHARE_RANGE = 0x40;

    /** The modes the engine serves; any other bit is EOPNOTSUPP. */
    public static final int SUPPORTED = KEEP_SIZE | PUNCH_HOLE | ZERO_RANGE;

    private FallocateMode() {
    }
}
