package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Directory contents (Linux fs/ext2/dir.c): listing, lookup through the {@link DirectoryIndex}, adding an entry
 * where a block has room (or in a new block), removing and retargeting entries. htree directories are read as the
 * linear directories they also are; any change clears their index flag, as ext3 does.
 *
 * <p>The caller holds the directory's lock (read for lookups and listing, write for changes) and writes the
 * directory inode back after a change.
 */
final class Directory {
    private final Volume vol;
    private final Geometry geo;
    private final BlockMap map;
    private final DirectoryIndex index;

    Directory(Volume vol, BlockMap map, DirectoryIndex index) {
        this.vol = vol;
        this.geo = vol.geo;
        this.map = map;
        this.index = index;
    }

    /** Number of blocks of a directory, after checking its size is whole blocks and plausible. */
    long blockCount(long ino, Inode dir) throws CorruptFsException {
        long size = dir.size();
        if (size % geo.blockSize() != 0 || size / geo.blockSize() > geo.blocksCount() || size == 0) {
            throw new CorruptFsException("directory " + ino + ": size " + size + " is not a positive whole number of "
                    + geo.blockSize() + "-byte blocks");
        }
        return size / geo.blockSize();
    }

    /** Every live entry in on-disk order. */
    List<DirEntry> list(long ino, Inode dir) throws IOException {
        List<DirEntry> out = new ArrayList<>();
        long n = blockCount(ino, dir);
        for (long fb = 0; fb < n; fb++) {
            for (DirectoryBlock.Entry e : entriesOf(ino, dir, fb)) {
                if (e.inode() != 0) {
                    out.add(new DirEntry(e.nameString(), e.inode(), e.fileType()));
                }
            }
        }
        return out;
    }

    /** The entry with this name, or null. */
    DirectoryIndex.Location find(long ino, Inode dir, byte[] name) throws IOException {
        return names(ino, dir).byName.get(DirectoryIndex.key(name));
    }

    /** True when only "." and ".." are left. */
    boolean isEmpty(long ino, Inode dir) throws IOException {
        long n = blockCount(ino, dir);
        for (long fb = 0; fb < n; fb++) {
            for (DirectoryBlock.Entry e : entriesOf(ino, dir, fb)) {
                if (e.inode() != 0 && !e.isDotOrDotDot()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Adds {@code name → child}; a new block is allocated near the directory's last one when none has room. */
    void add(long ino, Inode dir, byte[] name, long child, int fileType, BlockMap.BlockSource newBlocks)
            throws IOException {
        DirectoryIndex.Names names = names(ino, dir);
        long n = blockCount(ino, dir);
        String where = "directory " + ino;
        List<Long> candidates = new ArrayList<>();
        if (names.spaceHint < n) {
            candidates.add(names.spaceHint);
        }
        if (names.mayHaveHoles) {
            for (long fb = 0; fb < n; fb++) {
                candidates.add(fb);
            }
        } else if (n - 1 != names.spaceHint) {
            candidates.add(n - 1);
        }
        for (long fb : candidates) {
            long phys = physical(ino, dir, fb);
            int from = fb == names.spaceHint ? names.spaceOffset : 0;
            int placed = vol.meta.modify(phys, b -> {
                DirectoryBlock db = new DirectoryBlock(b);
                int at = db.place(name, child, fileType, from, where);
                return at < 0 && from > 0 ? db.place(name, child, fileType, 0, where) : at;
            });
            if (placed >= 0) {
                names.spaceHint = fb;
                names.spaceOffset = placed;
                names.byName.put(DirectoryIndex.key(name), new DirectoryIndex.Location(fb, placed, child, fileType));
                changed(dir);
                return;
            }
        }
        names.mayHaveHoles = false;
        boolean[] fresh = new boolean[1];
        long phys = map.mapOrAllocate(ino, dir, n, newBlocks, fresh);
        int placed = vol.meta.create(phys, b -> {
            DirectoryBlock db = new DirectoryBlock(b);
            db.initEmpty();
            return db.place(name, child, fileType, 0, where);
        });
        dir.setSize(dir.size() + geo.blockSize());
        names.spaceHint = n;
        names.spaceOffset = placed;
        names.byName.put(DirectoryIndex.key(name), new DirectoryIndex.Location(n, placed, child, fileType));
        index.put(ino, names);
        changed(dir);
    }

    /** Removes the entry at {@code loc} (from {@link #find}). */
    void remove(long ino, Inode dir, byte[] name, DirectoryIndex.Location loc) throws IOException {
        long phys = physical(ino, dir, loc.fileBlock());
        String where = "directory " + ino + " block " + loc.fileBlock();
        vol.meta.modify(phys, b -> {
            new DirectoryBlock(b).remove(loc.offset(), where);
            return null;
        });
        DirectoryIndex.Names names = names(ino, dir);
        names.byName.remove(DirectoryIndex.key(name));
        names.mayHaveHoles = true;
        names.spaceOffset = 0; // the removal may have merged the entry at the old offset into its predecessor
        changed(dir);
    }

    /** Points the entry at {@code loc} to another inode (rename over an existing name, or '..' of a moved dir). */
    void retarget(long ino, Inode dir, byte[] name, DirectoryIndex.Location loc, long child, int fileType)
            throws IOException {
        long phys = physical(ino, dir, loc.fileBlock());
        vol.meta.modify(phys, b -> {
            new DirectoryBlock(b).retarget(loc.offset(), child, fileType);
            return null;
        });
        names(ino, dir).byName.put(DirectoryIndex.key(name), new DirectoryIndex.Location(loc.fileBlock(),
                loc.offset(), child, fileType));
        changed(dir);
    }

    /** Formats block {@code phys} as the first block of a new directory. */
    void initFirstBlock(long phys, long self, long parent) throws IOException {
        vol.meta.create(phys, b -> {
            new DirectoryBlock(b).initDirectory(self, parent);
            return null;
        });
    }

    void forget(long ino) {
        index.forget(ino);
    }

    private void changed(Inode dir) {
        if ((dir.flags() & Inode.FL_INDEX) != 0) {
            dir.setFlags(dir.flags() & ~Inode.FL_INDEX);
        }
    }

    private DirectoryIndex.Names names(long ino, Inode dir) throws IOException {
        DirectoryIndex.Names names = index.get(ino);
        if (names != null) {
            return names;
        }
        names = new DirectoryIndex.Names();
        long n = blockCount(ino, dir);
        for (long fb = 0; fb < n; fb++) {
            for (DirectoryBlock.Entry e : entriesOf(ino, dir, fb)) {
                if (e.inode() != 0) {
                    names.byName.putIfAbsent(DirectoryIndex.key(e.name()),
                            new DirectoryIndex.Location(fb, e.offset(), e.inode(), e.fileType()));
                }
            }
        }
        names.spaceHint = n - 1;
        names.mayHaveHoles = true;
        index.put(ino, names);
        return names;
    }

    private List<DirectoryBlock.Entry> entriesOf(long ino, Inode dir, long fb) throws IOException {
        long phys = physical(ino, dir, fb);
        String where = "directory " + ino + " block " + fb;
        List<DirectoryBlock.Entry> entries = vol.meta.read(phys, b -> new DirectoryBlock(b).entries(where));
        for (DirectoryBlock.Entry e : entries) {
            if (e.inode() != 0 && !geo.isValidInode(e.inode())) {
                throw new CorruptFsException(where + ": entry '" + e.printableName() + "' points to inode " + e.inode()
                        + " outside the volume");
            }
        }
        return entries;
    }

    private long physical(long ino, Inode dir, long fb) throws IOException {
        long phys = map.map(ino, dir, fb);
        if (phys == 0) {
            throw new CorruptFsException("directory " + ino + ": block " + fb + " is a hole");
        }
        return phys;
    }
}
