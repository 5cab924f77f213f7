package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.disk.Bitmap;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Geometry;
import java.io.IOException;

/**
 * Inode allocation (Linux fs/ext2/ialloc.c), Orlov-flavoured: a directory created in the root goes to the group with
 * the fewest directories among those with at least average free inodes and blocks (spreading top-level trees);
 * other directories and files stay in their parent's group while it has room, then move to the next group that does.
 */
final class InodeAllocator {
    private final Volume vol;
    private final Geometry geo;

    InodeAllocator(Volume vol) {
        this.vol = vol;
        this.geo = vol.geo;
    }

    long allocate(long parentIno, boolean directory) throws IOException {
        int n = vol.groups.length;
        long parentGroup = geo.groupOfInode(parentIno);
        long start = directory && parentIno == FileSystem.ROOT_INO ? spreadGroup() : parentGroup;
        for (int i = 0; i < n; i++) {
            Group g = vol.groups[(int) ((start + i) % n)];
            synchronized (g) {
                if (g.desc.freeInodes() == 0) {
                    continue;
                }
                long ino = takeFree(g, directory);
                if (ino > 0) {
                    return ino;
                }
            }
        }
        throw new FsException(Errno.ENOSPC, "no free inode left on the volume");
    }

    /** Orlov's choice for a top-level directory: fewest used dirs among groups with ≥ average free space. */
    private long spreadGroup() {
        long freeInodes = 0;
        long freeBlocks = 0;
        for (Group g : vol.groups) {
            synchronized (g) {
                freeInodes += g.desc.freeInodes();
                freeBlocks += g.desc.freeBlocks();
            }
        }
        int n = vol.groups.length;
        long avgInodes = freeInodes / n;
        long avgBlocks = freeBlocks / n;
        long best = 0;
        int bestDirs = Integer.MAX_VALUE;
        for (Group g : vol.groups) {
            synchronized (g) {
                if (g.desc.freeInodes() > 0 && g.desc.freeInodes() >= avgInodes && g.desc.freeBlocks() >= avgBlocks
                        && g.desc.usedDirs() < bestDirs) {
                    best = g.index;
                    bestDirs = g.desc.usedDirs();
                }
            }
        }
        return best;
    }

    private long takeFree(Group g, boolean directory) throws IOException {
        int ipg = (int) geo.inodesPerGroup();
        long base = g.index * geo.inodesPerGroup();
        // inodes below s_first_ino are reserved (root, journal, resize): never handed out
        int from = (int) Math.max(0, vol.sb.firstIno() - 1 - base);
        if (from >= ipg) {
            return -1;
        }
        int bit = vol.meta.modify(g.desc.inodeBitmap(), b -> {
            Bitmap bm = new Bitmap(b);
            int i = bm.nextClear(from, ipg);
            if (i >= 0) {
                bm.set(i);
            }
            return i;
        });
        if (bit < 0) {
            return -1;
        }
        g.desc.setFreeInodes(g.desc.freeInodes() - 1);
        if (directory) {
            g.desc.setUsedDirs(g.desc.usedDirs() + 1);
        }
        return base + bit + 1;
    }

    void free(long ino, boolean directory) throws IOException {
        if (ino < vol.sb.firstIno() || !geo.isValidInode(ino)) {
            throw new CorruptFsException("freeing reserved or invalid inode " + ino);
        }
        Group g = vol.groups[(int) geo.groupOfInode(ino)];
        int bit = (int) geo.indexInGroup(ino);
        synchronized (g) {
            if (!vol.meta.modify(g.desc.inodeBitmap(), b -> new Bitmap(b).testAndClear(bit))) {
                throw new CorruptFsException("group " + g.index + ": freeing inode " + ino + " that is already free");
            }
            g.desc.setFreeInodes(g.desc.freeInodes() + 1);
            if (directory && g.desc.usedDirs() > 0) {
                g.desc.setUsedDirs(g.desc.usedDirs() - 1);
            }
        }
    }

    long freeInodes() {
        long n = 0;
        for (Group g : vol.groups) {
            synchronized (g) {
                n += g.desc.freeInodes();
            }
        }
        return n;
    }
}
