package io.ext3ns.fs.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;

/**
 * Reads and writes inodes in the inode tables, with a bounded cache of decoded inodes. Callers hold the inode's lock
 * ({@link LockTable}) around get-modify-put, and get copies, so a cached inode is never changed behind anyone's back.
 * A written inode goes into its inode-table block in the metadata cache at once (dirty until write-back).
 */
final class InodeStore {
    private final Volume vol;
    private final Geometry geo;
    private final Cache<Long, Inode> cache;
    private final OrphanList orphans;

    InodeStore(Volume vol, long maxEntries) {
        this.vol = vol;
        this.geo = vol.geo;
        this.orphans = new OrphanList(vol);
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).recordStats().build();
    }

    /** The inode, validated if in use (mode != 0). */
    Inode get(long ino) throws IOException {
        checkIno(ino);
        Inode cached = cache.getIfPresent(ino);
        if (cached != null) {
            return cached.copy();
        }
        long blk = tableBlock(ino);
        int off = offsetInBlock(ino);
        Inode in = vol.meta.read(blk, b -> Inode.decode(b, off, geo.inodeSize()));
        if (in.mode() != 0) {
            in.validate(ino, geo);
        }
        cache.put(ino, in.copy());
        return in;
    }

    /** The inode, which must be in use (links > 0 or open); ENOENT-like corruption otherwise. */
    Inode getLive(long ino) throws IOException {
        Inode in = get(ino);
        if (in.mode() == 0) {
            throw new FsException(Errno.ENOENT, "inode " + ino + " is not in use");
        }
        return in;
    }

    void put(long ino, Inode in) throws IOException {
        checkIno(ino);
        orphans.withPointer(ino, in, () -> store(ino, in));
    }

    /** Rewrites only i_dtime of an orphan whose successor on the chain changed (caller: {@link OrphanList}). */
    void patchDtime(long ino, long dtime) throws IOException {
        Inode in = get(ino);
        in.setDtime(dtime);
        store(ino, in);
    }

    private void store(long ino, Inode in) throws IOException {
        long blk = tableBlock(ino);
        int off = offsetInBlock(ino);
        vol.meta.modify(blk, b -> {
            in.encodeInto(b, off);
            return null;
        });
        cache.put(ino, in.copy());
    }

    io.ext3ns.fs.api.CacheStats stats() {
        return CaffeineStats.of("inode", cache);
    }

    OrphanList orphans() {
        return orphans;
    }

    private void checkIno(long ino) throws FsException {
        if (!geo.isValidInode(ino)) {
            throw new FsException(Errno.EIO, "inode number " + ino + " outside 1.." + geo.inodesCount());
        }
    }

    private long tableBlock(long ino) {
        Group g = vol.groups[(int) geo.groupOfInode(ino)];
        long byteInTable = geo.indexInGroup(ino) * geo.inodeSize();
        return g.desc.inodeTable() + byteInTable / geo.blockSize();
    }

    private int offsetInBlock(long ino) {
        return (int) (geo.indexInGroup(ino) * geo.inodeSize() % geo.blockSize());
    }
}
