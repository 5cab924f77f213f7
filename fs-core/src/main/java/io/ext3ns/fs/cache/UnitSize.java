package io.ext3ns.fs.cache;

/** The pinned unit sizes the paper's PMEM and the file system's block sizes allow. */
public enum UnitSize {
    K128(128 << 10), K256(256 << 10), K512(512 << 10), M1(1 << 20), M2(2 << 20);

    private final int bytes;

    UnitSize(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    /** The unit size of exactly {@code bytes}, or an error naming the allowed sizes. */
    public static UnitSize ofBytes(long bytes) {
        for (UnitSize s : values()) {
            if (s.bytes == bytes) {
                return s;
            }
        }
        throw new IllegalArgumentException("unit size must be 128 KiB, 256 KiB, 512 KiB, 1 MiB or 2 MiB, not " + bytes);
    }

    /** The smallest unit that holds whole blocks of {@code blockSize} (a block size larger than 2 MiB is refused). */
    public static UnitSize forBlockSize(int blockSize) {
        for (UnitSize s : values()) {
            if (s.bytes >= blockSize && s.bytes % blockSize == 0) {
                return s;
            }
        }
        throw new IllegalArgumentException("no pinned unit size holds whole blocks of " + blockSize + " bytes");
    }
}
