package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.cache.BlockCache;
import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The engine's side of the {@link BlockCache}: how a unit of a file is filled (its blocks mapped and read under the
 * inode's read lock, contiguous physical runs in one device read each, holes and the bytes past the end as zeros,
 * gathered blocks not yet written over what the device holds) and when units are read ahead (per handle,
 * {@link ReadAhead}). Cache keys are (inode, unit); {@link FileData} invalidates the units each change touches.
 */
final class CachedReads implements BlockCache.Filler {
    private final Volume vol;
    private final BlockMap map;
    private final InodeStore inodes;
    private final LockTable locks;
    private final java.util.function.LongFunction<OpenInode> openState;
    final BlockCache cache;
    private final int bs;
    private final int unitBytes;
    private final int blocksPerUnit;

    CachedReads(Volume vol, BlockMap map, InodeStore inodes, LockTable locks,
                java.util.function.LongFunction<OpenInode> openState, BlockCache cache) {
        this.vol = vol;
        this.map = map;
        this.inodes = inodes;
        this.locks = locks;
        this.openState = openState;
        this.cache = cache;
        this.bs = vol.geo.blockSize();
        this.unitBytes = cache.unitBytes();
        this.blocksPerUnit = unitBytes / bs;
    }

    int unitBytes() {
        return unitBytes;
    }

    @Override
    public void locked(long ino, BlockCache.FillStep body) throws IOException {
        try (LockTable.Held l = locks.read(ino)) {
            body.run();
        }
    }

    @Override
    public int fill(long ino, long unit, ByteBuffer dst) throws IOException {
        Inode in = inodes.getLive(ino);
        long start = unit * unitBytes;
        long size = in.size();
        if (start >= size) {
            throw new FsException(Errno.EINVAL, "inode " + ino + ": unit " + unit + " is past the end (size "
                    + size + ")");
        }
        int dataBytes = (int) Math.min(unitBytes, size - start);
        int blocks = (dataBytes + bs - 1) / bs;
        long firstFb = unit * blocksPerUnit;
        readBlocks(ino, in, firstFb, blocks, dst.slice(0, blocks * bs));
        zero(dst.slice(dataBytes, unitBytes - dataBytes)); // the last block's bytes past the size, and beyond
        OpenInode st = openState.apply(ino);
        if (st != null && !st.gathered.isEmpty()) {
            for (var g : st.gathered.subMap(firstFb, true, firstFb + blocks, false).entrySet()) {
                int at = (int) (g.getKey() - firstFb) * bs;
                dst.put(at, g.getValue(), 0, Math.min(bs, dataBytes - at));
            }
        }
        return dataBytes;
    }

    /**
     * Reads file blocks [firstFb, firstFb + blocks) into {@code dst} (exactly that many blocks, device-aligned):
     * each contiguous physical run in one device read, holes as zeros. The caller holds the inode's lock.
     */
    void readBlocks(long ino, Inode in, long firstFb, int blocks, ByteBuffer dst) throws IOException {
        int i = 0;
        while (i < blocks) {
            long phys = map.map(ino, in, firstFb + i);
            int run = 1;
            while (i + run < blocks) {
                long next = map.map(ino, in, firstFb + i + run);
                if (phys == 0 ? next != 0 : next != phys + run) {
                    break;
                }
                run++;
            }
            ByteBuffer slice = dst.slice(i * bs, run * bs);
            if (phys == 0) {
                zero(slice);
            } else {
                vol.io.readRunInto(phys, run, slice);
            }
            i += run;
        }
    }

    private static void zero(ByteBuffer b) {
        byte[] zeros = new byte[Math.min(b.remaining(), 64 << 10)];
        for (int at = 0; at < b.remaining(); at += zeros.length) {
            b.put(at, zeros, 0, Math.min(zeros.length, b.remaining() - at));
        }
    }

    /** A lease on unit {@code unit} of the inode (lock held by the caller), or null when the cache has no unit. */
    CachedBlock lease(long ino, long unit) throws IOException {
        return cache.lease(ino, unit, this);
    }

    /** Starts reading ahead after a read of [from, to) through {@code h}, as its policy says. */
    void readAhead(OpenFile h, long size, long from, long to) {
        if (size == 0 || to <= from) {
            return;
        }
        long[] range = h.readAhead.after(from, to, unitBytes, (size - 1) / unitBytes);
        if (range != null) {
            for (long u = range[0]; u <= range[1]; u++) {
                cache.prefetch(h.ino(), u, this);
            }
        }
    }

    /** As {@link #readAhead}, for a lease taken without the inode's lock: the size is only a hint here. */
    void readAheadAsync(OpenFile h, long from, long to) {
        try {
            readAhead(h, inodes.getLive(h.ino()).size(), from, to);
        } catch (IOException e) {
            // the lease itself reports what is wrong with the inode
        }
    }

    /** Units covering bytes [from, to) of the inode leave the cache (to: Long.MAX_VALUE for the rest). */
    void changed(long ino, long from, long to) {
        long toUnit = to == Long.MAX_VALUE ? Long.MAX_VALUE : (to + unitBytes - 1) / unitBytes;
        cache.invalidate(ino, Math.max(0, from) / unitBytes, toUnit);
    }
}
