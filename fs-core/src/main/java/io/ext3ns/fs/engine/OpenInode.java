package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.TreeMap;

/**
 * What the engine keeps for an inode while it is open: handle counts (an unlinked inode is deleted when the last
 * handle goes), the allocation window of its writers, the write-gathering buffers — whole blocks being filled by
 * writes smaller than a block, flushed (written behind, {@link WriteBehind}) when full, on flush, fsync, the last
 * release and sync — and the first write-behind failure not yet reported. Guarded by the inode's write lock (counts by
 * the engine's open-table monitor; the error is set by the write-behind thread).
 */
final class OpenInode {
    final long ino;
    int handles;
    int writers;
    final Reservation window = new Reservation();
    /** File block → block contents being gathered (not yet on the device): aligned direct buffers of one block. */
    final TreeMap<Long, ByteBuffer> gathered = new TreeMap<>();
    private IOException writeError;

    OpenInode(long ino) {
        this.ino = ino;
    }

    /** A written-behind block of this inode failed (called by the write-behind thread). */
    synchronized void writeFailed(IOException e) {
        if (writeError == null) {
            writeError = e;
        }
    }

    /** Throws (EIO) the write-behind failure not yet reported, once, like Linux's per-file writeback error. */
    synchronized void reportWriteError() throws FsException {
        IOException e = writeError;
        if (e != null) {
            writeError = null;
            throw new FsException(Errno.EIO, "inode " + ino + ": data written earlier could not be stored: "
                    + e.getMessage(), e);
        }
    }
}
