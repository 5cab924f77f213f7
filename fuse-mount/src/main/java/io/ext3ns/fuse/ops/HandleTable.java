package io.ext3ns.fuse.ops;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FsException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Maps the numbers FUSE keeps in fuse_file_info.fh to the engine's open {@link FileHandle}s. Numbers are never reused, so a stale number from a buggy caller fails with EBADF instead of
 * reaching another file.
 */
final class HandleTable {
    /** One open file: the engine's handle. */
    record Open(FileHandle handle) {
    }

    private final ConcurrentHashMap<Long, Open> open = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long add(Open handle) {
        long fh = next.getAndIncrement();
        open.put(fh, handle);
        return fh;
    }

    Open get(long fh) throws FsException {
        Open handle = open.get(fh);
        if (handle == null) {
            throw new FsException(Errno.EBADF, "no open file with handle " + fh);
        }
        return handle;
    }

    Open remove(long fh) throws FsException {
        Open handle = open.remove(fh);
        if (handle == null) {
            throw new FsException(Errno.EBADF, "no open file with handle " + fh);
        }
        return handle;
    }

    /** Empties the table and returns what was still open (at unmount). */
    Collection<Open> drain() {
        Collection<Open> left = new ArrayList<>();
        for (Long fh : open.keySet()) {
            Open handle = open.remove(fh);
            if (handle != null) {
                left.add(handle);
            }
        }
        return left;
    }
}
