package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open directories: each keeps the listing it was read from, so that the kernel's READDIR calls at successive
 * offsets (entry index + 1) walk one consistent list instead of listing the directory again per page. Offset 0
 * (opendir, rewinddir) lists afresh.
 */
final class DirHandles {
    /** One opendir: the directory's inode and its current listing. */
    static final class Dir {
        final long ino;
        volatile List<DirEntry> entries;

        Dir(long ino) {
            this.ino = ino;
        }
    }

    private final ConcurrentHashMap<Long, Dir> open = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    long open(long ino) {
        long fh = next.getAndIncrement();
        open.put(fh, new Dir(ino));
        return fh;
    }

    Dir get(long fh) throws FsException {
        Dir d = open.get(fh);
        if (d == null) {
            throw new FsException(Errno.EBADF, "no open directory " + fh);
        }
        return d;
    }

    void release(long fh) {
        open.remove(fh);
    }
}
