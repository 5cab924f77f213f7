package io.ext3ns.sda;

/**
 * What {@link BlockDevices#create} builds: a layout and a logical block size (the file system's block size).
 *
 * <p>Every member request must be a whole multiple of 4096 bytes (O_DIRECT), so for {@code split} the block size
 * must divide into N parts of a multiple of 4096 (1 MiB over 4 members: 256 KiB parts; 1 MiB over 3 members is
 * refused).
 */
public record ArraySpec(ArrayLayout layout, int blockSize) {
    /** Smallest and largest logical block an array accepts (EXT3NS uses 128 KiB – 2 MiB). */
    public static final int MIN_BLOCK_SIZE = 4096;
    public static final int MAX_BLOCK_SIZE = 64 << 20;
    /** Most members an array may have; also bounds what a label may claim. */
    public static final int MAX_MEMBERS = 64;

    public ArraySpec {
        if (layout == null) {
            throw new IllegalArgumentException("no array layout given");
        }
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("array block size " + blockSize + " is not a power of two between "
                    + MIN_BLOCK_SIZE + " and " + MAX_BLOCK_SIZE);
        }
    }

    /**
     * The bytes each member holds of one logical block, after checking that this spec suits {@code members}
     * members; the message says why it does not.
     */
    public int partSize(int members) {
        if (members < 1 || members > MAX_MEMBERS) {
            throw new IllegalArgumentException("an array has 1 to " + MAX_MEMBERS + " members, not " + members);
        }
        int part = layout.partSize(blockSize, members);
        if ((long) part * layout.partsPerBlock(members) != blockSize || part % AlignedBuffers.PAGE != 0) {
            throw new IllegalArgumentException("layout " + layout + " cannot cut a " + blockSize + "-byte block over "
                    + members + " members into parts that are multiples of " + AlignedBuffers.PAGE + " bytes");
        }
        return part;
    }
}
