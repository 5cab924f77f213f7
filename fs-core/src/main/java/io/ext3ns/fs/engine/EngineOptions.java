package io.ext3ns.fs.engine;

/**
 * How the engine is opened: read-only or read-write, and the sizes of its caches (bytes, or entries for the inode
 * cache). Every cache is bounded by these numbers; dirty metadata is pinned until written back and flushed early when
 * it exceeds {@code dirtyMetadataBytes}.
 *
 * @param readOnly           never write to the device (also forced by unknown ro_compat features or a dirty image)
 * @param inodeCacheEntries  decoded inodes kept in memory
 * @param metadataCacheBytes bitmaps, indirect and directory blocks kept clean in memory
 * @param dataCacheBytes     whole file-data blocks of the legacy buffered path
 * @param directoryIndexEntries name → entry-location pairs kept for fast lookups in large directories
 * @param readAheadBlocks    blocks prefetched ahead of a sequential reader (0 disables read-ahead)
 * @param dirtyMetadataBytes dirty metadata held before an early write-back
 * @param atime              when reads and directory listings set atime (relatime, as the kernel mounts ext3)
 */
public record EngineOptions(boolean readOnly, long inodeCacheEntries, long metadataCacheBytes, long dataCacheBytes,
                            long directoryIndexEntries, int readAheadBlocks, long dirtyMetadataBytes,
                            AtimePolicy atime) {

    public EngineOptions {
        if (inodeCacheEntries < 16 || metadataCacheBytes < 0 || dataCacheBytes < 0 || directoryIndexEntries < 0
                || readAheadBlocks < 0 || dirtyMetadataBytes < 0 || atime == null) {
            throw new IllegalArgumentException("bad engine options: " + this);
        }
    }

    /** Defaults for a mounted volume: 64 MiB metadata, 256 MiB data, 8 blocks of read-ahead. */
    public static EngineOptions defaults() {
        return new EngineOptions(false, 65_536, 64L << 20, 256L << 20, 1_000_000, 8, 256L << 20,
                AtimePolicy.RELATIME);
    }

    public static EngineOptions readOnlyDefaults() {
        return defaults().withReadOnly(true);
    }

    public EngineOptions withReadOnly(boolean ro) {
        return new EngineOptions(ro, inodeCacheEntries, metadataCacheBytes, dataCacheBytes, directoryIndexEntries,
                readAheadBlocks, dirtyMetadataBytes, atime);
    }

    public EngineOptions withCaches(long metadataBytes, long dataBytes) {
        return new EngineOptions(readOnly, inodeCacheEntries, metadataBytes, dataBytes, directoryIndexEntries,
                readAheadBlocks, dirtyMetadataBytes, atime);
    }

    public EngineOptions withReadAhead(int blocks) {
        return new EngineOptions(readOnly, inodeCacheEntries, metadataCacheBytes, dataCacheBytes,
                directoryIndexEntries, blocks, dirtyMetadataBytes, atime);
    }

    public EngineOptions withAtime(AtimePolicy policy) {
        return new EngineOptions(readOnly, inodeCacheEntries, metadataCacheBytes, dataCacheBytes,
                directoryIndexEntries, readAheadBlocks, dirtyMetadataBytes, policy);
    }
}
