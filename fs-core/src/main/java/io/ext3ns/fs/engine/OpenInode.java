package io.ext3ns.fs.engine;

import java.util.TreeMap;

/**
 * What the engine keeps for an inode while it is open: handle counts (an unlinked inode is deleted when the last
 * handle goes), the allocation window of its writers, and the write-gathering buffers — whole blocks being filled by
 * writes smaller than a block, flushed when full, on fsync, on the last release and on sync. Guarded by the inode's
 * write lock (counts by the engine's open-table monitor).
 */
final class OpenInode {
    final long ino;
    int handles;
    int writers;
    final Reservation window = new Reservation();
    /** File block → block contents being gathered (not yet on the device). */
    final TreeMap<Long, byte[]> gathered = new TreeMap<>();

    OpenInode(long ino) {
        this.ino = ino;
    }
}
