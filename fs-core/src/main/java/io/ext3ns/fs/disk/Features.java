package io.ext3ns.fs.disk;

/** ext2/3 feature flags (superblock 0x5C compat, 0x60 incompat, 0x64 ro_compat) that EXT3NS knows. */
public final class Features {
    private Features() {
    }

    public static final int COMPAT_DIR_PREALLOC = 0x1;
    public static final int COMPAT_IMAGIC_INODES = 0x2;
    public static final int COMPAT_HAS_JOURNAL = 0x4;
    public static final int COMPAT_EXT_ATTR = 0x8;
    public static final int COMPAT_RESIZE_INODE = 0x10;
    public static final int COMPAT_DIR_INDEX = 0x20;

    public static final int INCOMPAT_FILETYPE = 0x2;
    public static final int INCOMPAT_RECOVER = 0x4;
    public static final int INCOMPAT_JOURNAL_DEV = 0x8;
    public static final int INCOMPAT_META_BG = 0x10;
    public static final int INCOMPAT_EXTENTS = 0x40;
    public static final int INCOMPAT_64BIT = 0x80;
    public static final int INCOMPAT_FLEX_BG = 0x200;

    public static final int RO_COMPAT_SPARSE_SUPER = 0x1;
    public static final int RO_COMPAT_LARGE_FILE = 0x2;
    public static final int RO_COMPAT_HUGE_FILE = 0x8;
    public static final int RO_COMPAT_GDT_CSUM = 0x10;
    public static final int RO_COMPAT_DIR_NLINK = 0x20;
    public static final int RO_COMPAT_EXTRA_ISIZE = 0x40;
    public static final int RO_COMPAT_METADATA_CSUM = 0x400;

    /** Incompatible features we can mount: anything else means the layout is not ours to interpret. */
    public static final int INCOMPAT_SUPPORTED = INCOMPAT_FILETYPE | INCOMPAT_RECOVER;
    /** Read-only-compatible features we can write without breaking them; others force read-only. */
    public static final int RO_COMPAT_SUPPORTED = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE
            | RO_COMPAT_EXTRA_ISIZE | RO_COMPAT_DIR_NLINK;
    /** Compatible features that change what a writer must maintain (a writer clears or keeps them consistent). */
    public static final int COMPAT_KNOWN = COMPAT_DIR_PREALLOC | COMPAT_HAS_JOURNAL | COMPAT_EXT_ATTR
            | COMPAT_RESIZE_INODE | COMPAT_DIR_INDEX;
}
