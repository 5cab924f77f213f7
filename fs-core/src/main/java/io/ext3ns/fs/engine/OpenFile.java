package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FsException;

/** A handle from {@link Ext3FileSystem#open}: its inode's open state and the reader's sequential-access detector. */
final class OpenFile implements FileHandle {
    final OpenInode state;
    private final boolean writable;
    volatile boolean released;
    /** This stream's read-ahead: sequential detection and its window. */
    final ReadAhead readAhead;

    /** The volume's I/O error count this handle last reported (errseq-like: each error reaches each handle once). */
    private long errorsSeen;

    OpenFile(OpenInode state, boolean writable, long volumeErrors, int readAheadUnits) {
        this.state = state;
        this.readAhead = new ReadAhead(readAheadUnits);
        this.writable = writable;
        this.errorsSeen = volumeErrors;
    }

    /** The caller has just failed with an error that reports the volume's errors so far. */
    synchronized void errorsReported(long volumeErrors) {
        errorsSeen = volumeErrors;
    }

    /**
     * Throws EIO once if the volume recorded an I/O error (a metadata or data write that failed, whoever's) since
     * this handle was opened or last reported one, so fsync, flush and close cannot return success after a lost
     * write.
     */
    synchronized void reportVolumeErrors(long volumeErrors) throws FsException {
        if (volumeErrors != errorsSeen) {
            errorsSeen = volumeErrors;
            throw new FsException(Errno.EIO, "inode " + state.ino + ": the volume had an I/O error since this file"
                    + " was opened or last synced (see the log); it is marked with errors for fsck");
        }
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
