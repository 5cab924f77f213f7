package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.FileHandle;

/** A handle from {@link Ext3FileSystem#open}: its inode's open state and the reader's sequential-access detector. */
final class OpenFile implements FileHandle {
    final OpenInode state;
    private final boolean writable;
    volatile boolean released;
    /** End of the previous read: a read starting there is sequential and triggers read-ahead. */
    volatile long lastReadEnd = -1;
    /** Last file block already prefetched, so each block is requested once. */
    volatile long prefetchedUpTo = -1;

    OpenFile(OpenInode state, boolean writable) {
        this.state = state;
        this.writable = writable;
    }

    @Override
    public long ino() {
        return state.ino;
    }

    @Override
    public boolean writable() {
        return writable;
    }
}
