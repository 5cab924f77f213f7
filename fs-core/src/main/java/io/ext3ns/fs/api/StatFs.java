package io.ext3ns.fs.api;

/** statfs(2) numbers: counts are in units of {@code blockSize}; {@code availableBlocks} excludes reserved blocks. */
public record StatFs(int blockSize, long totalBlocks, long freeBlocks, long availableBlocks, long totalInodes,
                     long freeInodes, int maxNameLength) {
}
