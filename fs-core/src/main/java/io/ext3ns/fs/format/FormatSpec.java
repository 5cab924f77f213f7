package io.ext3ns.fs.format;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * What mkfs was asked for. Zero means "derive it": {@code blocksCount} 0 = the whole device, {@code inodeCount} and
 * {@code bytesPerInode} 0 = mke2fs's rule (one inode per max(16 KiB, block size)), {@code blocksPerGroup} 0 = the
 * largest group the 16-bit free counts and a one-block bitmap allow. {@code journalBlocks}: 0 = no journal (ext2
 * style), {@link #JOURNAL_DEFAULT} = the size {@link io.ext3ns.fs.journal.JournalSize} picks for the volume (possibly
 * none), otherwise the journal length in blocks. {@code deviceReadsZero}: the caller knows every block reads as
 * zeros (mkfs just created the member as a sparse file), so inode tables need not be written. Build one with
 * {@link #builder()}.
 */
public record FormatSpec(int blockSize, long blocksCount, long inodeCount, long bytesPerInode,
                         double reservedPercent, String label, UUID uuid, int inodeSize, long blocksPerGroup,
                         long createdEpochSeconds, long journalBlocks, boolean deviceReadsZero) {

    public static final int MIN_BLOCK_SIZE = 1024;
    public static final int MAX_BLOCK_SIZE = 2 << 20;
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    public static final int DEFAULT_INODE_SIZE = 256;
    public static final double DEFAULT_RESERVED_PERCENT = 5.0;
    /** mke2fs's default inode ratio; raised to the block size when blocks are larger (a file needs a block). */
    public static final long DEFAULT_BYTES_PER_INODE = 16384;
    /** mke2fs -i accepts 1 KiB .. 64 MiB. */
    public static final long MIN_BYTES_PER_INODE = 1024;
    public static final long MAX_BYTES_PER_INODE = 64L << 20;
    /** journalBlocks: let the volume size decide (see {@link io.ext3ns.fs.journal.JournalSize}). */
    public static final long JOURNAL_DEFAULT = -1;

    public FormatSpec {
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size " + blockSize
                    + " must be a power of two from 1024 to 2097152 (1K..2M)");
        }
        if (blocksCount < 0 || inodeCount < 0 || bytesPerInode < 0 || blocksPerGroup < 0) {
            throw new IllegalArgumentException("negative count");
        }
        if (inodeCount > 0 && bytesPerInode > 0) {
            throw new IllegalArgumentException("give either an inode count (-N) or bytes per inode (-i), not both");
        }
        if (bytesPerInode != 0 && (bytesPerInode < MIN_BYTES_PER_INODE || bytesPerInode > MAX_BYTES_PER_INODE)) {
            throw new IllegalArgumentException("bytes per inode " + bytesPerInode + " outside 1024..67108864");
        }
        if (!(reservedPercent >= 0 && reservedPercent <= 50)) {
            throw new IllegalArgumentException("reserved blocks percentage " + reservedPercent + " outside 0..50");
        }
        if (label == null) {
            label = "";
        }
        if (label.getBytes(StandardCharsets.UTF_8).length > 16) {
            throw new IllegalArgumentException("volume label longer than 16 bytes: " + label);
        }
        if (inodeSize != 128 && inodeSize != 256) {
            throw new IllegalArgumentException("inode size " + inodeSize + " must be 128 or 256");
        }
        if (blocksPerGroup != 0 && (blocksPerGroup < 256 || blocksPerGroup % 8 != 0
                || blocksPerGroup > VolumeLayout.maxBlocksPerGroup(blockSize))) {
            throw new IllegalArgumentException("blocks per group " + blocksPerGroup
                    + " must be a multiple of 8 from 256 to " + VolumeLayout.maxBlocksPerGroup(blockSize));
        }
        if (createdEpochSeconds < 0 || createdEpochSeconds > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("creation time " + createdEpochSeconds + " outside 32-bit range");
        }
        if (journalBlocks < JOURNAL_DEFAULT) {
            throw new IllegalArgumentException("journal blocks " + journalBlocks + " invalid");
        }
    }

    /** Bytes per inode actually used when no inode count is given. */
    public long effectiveBytesPerInode() {
        return bytesPerInode > 0 ? bytesPerInode : Math.max(DEFAULT_BYTES_PER_INODE, blockSize);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults: 1 MiB blocks, whole device, 256-byte inodes, 5 % reserved, random UUID, now, no journal. */
    public static final class Builder {
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private long blocksCount;
        private long inodeCount;
        private long bytesPerInode;
        private double reservedPercent = DEFAULT_RESERVED_PERCENT;
        private String label = "";
        private UUID uuid;
        private int inodeSize = DEFAULT_INODE_SIZE;
        private long blocksPerGroup;
        private long created = -1;
        private long journalBlocks;
        private boolean deviceReadsZero;

        public Builder blockSize(int v) { blockSize = v; return this; }
        public Builder blocksCount(long v) { blocksCount = v; return this; }
        public Builder inodeCount(long v) { inodeCount = v; return this; }
        public Builder bytesPerInode(long v) { bytesPerInode = v; return this; }
        public Builder reservedPercent(double v) { reservedPercent = v; return this; }
        public Builder label(String v) { label = v; return this; }
        public Builder uuid(UUID v) { uuid = v; return this; }
        public Builder inodeSize(int v) { inodeSize = v; return this; }
        public Builder blocksPerGroup(long v) { blocksPerGroup = v; return this; }
        public Builder createdEpochSeconds(long v) { created = v; return this; }
        /** 0: no journal; {@link #JOURNAL_DEFAULT}: sized by the volume; else the journal's length in blocks. */
        public Builder journalBlocks(long v) { journalBlocks = v; return this; }
        /** Only when the device is known to read as zeros, e.g. a sparse file created just now. */
        public Builder deviceReadsZero(boolean v) { deviceReadsZero = v; return this; }

        public FormatSpec build() {
            return new FormatSpec(blockSize, blocksCount, inodeCount, bytesPerInode, reservedPercent, label,
                    uuid != null ? uuid : UUID.randomUUID(), inodeSize, blocksPerGroup,
                    created >= 0 ? created : System.currentTimeMillis() / 1000, journalBlocks, deviceReadsZero);
        }
    }
}
