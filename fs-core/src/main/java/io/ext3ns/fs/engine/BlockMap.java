package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.BlockMapShape;
import io.ext3ns.fs.disk.BlockMapWalker;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.IndirectBlock;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;

/**
 * The ext2 indirect block map of one inode (Linux fs/ext2/inode.c): file block → physical block through i_block's
 * 12 direct pointers and the single, double and triple indirect trees; allocation along a path; truncation that frees
 * data blocks and the indirect blocks left empty. i_blocks counts every block in 512-byte units.
 *
 * <p>The caller holds the inode's lock and writes the {@link Inode} back afterwards. Indirect blocks are read through
 * the metadata cache; every pointer is range-checked before it is followed or freed. Lookups and whole-map walks
 * go through the shared {@link BlockMapWalker}; allocation and truncation change pointers as they descend, so they
 * keep their own descent here (with the walker's range check).
 */
final class BlockMap {
    /** Where new blocks come from (a file's window, or a plain goal). */
    interface BlockSource {
        long dataBlock() throws IOException;

        long indirectBlock() throws IOException;
    }

    /** Receives each freed block (the allocator). */
    @FunctionalInterface
    interface BlockFreer {
        void free(long block) throws IOException;
    }

    private final Volume vol;
    private final BlockMapShape shape;
    /** The shared map reader: lookups, whole-map walks and the pointer range check. */
    private final BlockMapWalker walker;
    /** One pointer read inside the metadata cache (no copy of the block on the read path). */
    private final BlockMapWalker.PointerSource pointers;

    BlockMap(Volume vol) {
        this.vol = vol;
        this.walker = new BlockMapWalker(vol.geo, blk -> vol.meta.read(blk, byte[]::clone));
        this.shape = walker.shape();
        this.pointers = (blk, idx) -> vol.meta.read(blk, b -> IndirectBlock.get(b, idx));
    }

    BlockMapShape shape() {
        return shape;
    }

    /** Physical block of file block {@code n}, or 0 for a hole. */
    long map(long ino, Inode in, long n) throws IOException {
        return walker.resolve(ino, in, n, pointers);
    }

    /**
     * Maps file block {@code n}, allocating the data block and any missing indirect blocks on its path. Returns the
     * physical block and whether it was newly allocated (new data blocks hold garbage until written).
     */
    long mapOrAllocate(long ino, Inode in, long n, BlockSource src, boolean[] fresh) throws IOException {
        if (n >= shape.maxFileBlocks()) {
            throw new FsException(Errno.EFBIG, "inode " + ino + ": file block " + n + " beyond the largest file ("
                    + shape.maxFileBlocks() + " blocks)");
        }
        int[] path = shape.path(n);
        fresh[0] = false;
        long cur = checked(ino, in.block(path[0]));
        if (path.length == 1) {
            if (cur == 0) {
                cur = src.dataBlock();
                in.setBlock(path[0], cur);
                addBlocks(ino, in, 1);
                fresh[0] = true;
            }
            return cur;
        }
        if (cur == 0) {
            cur = newIndirect(ino, in, src);
            in.setBlock(path[0], cur);
        }
        for (int level = 1; level < path.length; level++) {
            int idx = path[level];
            long parent = cur;
            long child = checked(ino, vol.meta.read(parent, b -> IndirectBlock.get(b, idx)));
            if (child == 0) {
                boolean leaf = level == path.length - 1;
                child = leaf ? src.dataBlock() : newIndirect(ino, in, src);
                if (leaf) {
                    addBlocks(ino, in, 1);
                    fresh[0] = true;
                }
                long value = child;
                vol.meta.modify(parent, b -> {
                    IndirectBlock.set(b, idx, value);
                    return null;
                });
            }
            cur = child;
        }
        return cur;
    }

    /** Indirect blocks that file blocks [from, from+count) add to a file mapped only below {@code from}. */
    int indirectBlocksFor(long from, int count) {
        int n = 0;
        long end = Math.min(from + count, shape.treeCapacity());
        for (long fb = Math.max(from, Inode.NDIR_BLOCKS); fb < end; fb++) {
            int[] p = shape.path(fb);
            for (int level = p.length - 1; level >= 1 && allZero(p, level); level--) {
                n++;
            }
        }
        return n;
    }

    private static boolean allZero(int[] path, int fromLevel) {
        for (int i = fromLevel; i < path.length; i++) {
            if (path[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private long newIndirect(long ino, Inode in, BlockSource src) throws IOException {
        long b = src.indirectBlock();
        vol.meta.create(b, x -> null);
        addBlocks(ino, in, 1);
        return b;
    }

    private void addBlocks(long ino, Inode in, long count) throws FsException {
        long v = in.blocks512() + count * shape.sectorsPerBlock();
        if (v > BlockMapShape.MAX_I_BLOCKS || v < 0) {
            throw new FsException(Errno.EFBIG, "inode " + ino + ": i_blocks would exceed 2^32-1 sectors");
        }
        in.setBlocks512(v);
    }

    /**
     * Frees every data block at file block {@code keep} or beyond and every indirect block left empty, zeroing the
     * pointers to them and lowering i_blocks.
     */
    void truncate(long ino, Inode in, long keep, BlockFreer freer) throws IOException {
        freeRange(ino, in, keep, Long.MAX_VALUE, freer);
    }

    /**
     * Frees the data blocks of file blocks [from, to) and every indirect block on their paths left empty (punching a
     * hole, or truncating with {@code to} = Long.MAX_VALUE), zeroing the pointers to them and lowering i_blocks.
     */
    void freeRange(long ino, Inode in, long from, long to, BlockFreer freer) throws IOException {
        for (int i = 0; i < Inode.NDIR_BLOCKS; i++) {
            long b = checked(ino, in.block(i));
            if (i >= from && i < to && b != 0) {
                freer.free(b);
                in.setBlock(i, 0);
                addBlocks(ino, in, -1);
            }
        }
        long base = Inode.NDIR_BLOCKS;
        long p = shape.pointersPerBlock();
        long span = 1;
        for (int slot = Inode.IND_BLOCK; slot <= Inode.TIND_BLOCK; slot++) {
            span *= p; // file blocks under this top-level pointer
            long b = checked(ino, in.block(slot));
            int level = slot - Inode.IND_BLOCK + 1;
            if (b != 0 && base + span > from && base < to && freeTree(ino, in, b, level, base, from, to, freer)) {
                freer.free(b);
                in.setBlock(slot, 0);
                addBlocks(ino, in, -1);
            }
            base += span;
        }
    }

    /**
     * Frees file blocks [from, to) below indirect block {@code blk} (tree level 1..3) covering file blocks from
     * {@code base}; true if it is now empty.
     */
    private boolean freeTree(long ino, Inode in, long blk, int level, long base, long from, long to,
                             BlockFreer freer) throws IOException {
        long p = shape.pointersPerBlock();
        long childSpan = 1;
        for (int i = 1; i < level; i++) {
            childSpan *= p;
        }
        // children wholly below from stay: start at the first one reaching past it
        int first = from <= base ? 0 : (int) Math.min(p, (from - base) / childSpan);
        long[] ptrs = vol.meta.read(blk, b -> {
            long[] out = new long[(int) p];
            for (int i = 0; i < p; i++) {
                out[i] = IndirectBlock.get(b, i);
            }
            return out;
        });
        boolean changed = false;
        for (int i = first; i < p; i++) {
            long childBase = base + i * childSpan;
            if (childBase >= to) {
                break;
            }
            long child = checked(ino, ptrs[i]);
            if (child == 0 || childBase + childSpan <= from) {
                continue;
            }
            boolean freeIt = level == 1 || freeTree(ino, in, child, level - 1, childBase, from, to, freer);
            if (freeIt) {
                freer.free(child);
                ptrs[i] = 0;
                addBlocks(ino, in, -1);
                changed = true;
            }
        }
        boolean empty = true;
        for (long x : ptrs) {
            if (x != 0) {
                empty = false;
                break;
            }
        }
        if (changed && !empty) {
            vol.meta.modify(blk, b -> {
                for (int i = 0; i < p; i++) {
                    IndirectBlock.set(b, i, ptrs[i]);
                }
                return null;
            });
        }
        return empty;
    }

    /**
     * Physical blocks of file blocks 0..fileBlocks-1 in logical order (0 for holes): input for run counting. One walk
     * reads each indirect block once; what lies beyond the size is neither read nor judged.
     */
    long[] physicalBlocks(long ino, Inode in, long fileBlocks) throws IOException {
        int n = (int) Math.min(fileBlocks, Integer.MAX_VALUE - 8);
        return walker.mapFirst(in, n, (kind, physical, level, firstLogical) -> new CorruptFsException("inode " + ino
                + ": " + BlockMapWalker.describe(kind, physical, level, firstLogical)));
    }

    private long checked(long ino, long blk) throws CorruptFsException {
        return walker.checked(ino, blk);
    }
}
