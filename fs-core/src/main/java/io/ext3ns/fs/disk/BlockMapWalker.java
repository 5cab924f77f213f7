package io.ext3ns.fs.disk;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * The one reader of ext2's indirect block map (e2fsprogs' ext2fs_block_iterate3 and ext2fs_bmap): i_block[0..11]
 * direct, [12] single, [13] double, [14] triple indirect, each indirect block holding blockSize/4 pointers.
 *
 * <p>{@link #walk} visits the whole map in logical order, each indirect block before the blocks it maps (as
 * ext2fs_block_iterate does). Every non-zero pointer is range-checked against the volume before the visitor sees it;
 * a pointer outside the volume and an indirect block met a second time in the same map (a loop, or two paths sharing
 * a block) go to {@link Visitor#bad} instead, which throws by default and which fsck overrides to report and go on.
 * The depth is the map's three levels, and no indirect block is read twice unless the visitor asks, so a walk reads
 * at most as many blocks as the volume has, whatever the map holds.
 *
 * <p>{@link #resolve} is the read path's lookup of one file block: one pointer a level, no visitor, the same range
 * check. The engine's allocation and truncation change pointers in place and keep their own descent (BlockMap) but
 * check pointers with {@link #checked}.
 */
public final class BlockMapWalker {

    /** Reads one whole file-system block (an indirect block, for a walk). */
    @FunctionalInterface
    public interface BlockSource {
        byte[] read(long block) throws IOException;
    }

    /** Reads one pointer of an indirect block (for {@link #resolve}: the engine reads it inside its cache). */
    @FunctionalInterface
    public interface PointerSource {
        long pointer(long indirectBlock, int index) throws IOException;
    }

    /** Why a pointer was not handed to {@link Visitor#indirect} or {@link Visitor#data}. */
    public enum Bad {
        /** Outside [first data block, blocks count): never followed. */
        OUT_OF_RANGE,
        /** An indirect block already met in this map. */
        REPEATED_INDIRECT
    }

    /** Receives the map's pointers in walk order. */
    public interface Visitor {
        /**
         * An indirect block of {@code level} (1 single, 2 double, 3 triple) stored at {@code physical}, mapping file
         * blocks from {@code firstLogical}. Return true to read it and walk its pointers.
         */
        boolean indirect(long physical, int level, long firstLogical) throws IOException;

        /** Data block {@code logical} of the file is stored at {@code physical}. */
        void data(long logical, long physical) throws IOException;

        /**
         * A pointer the walker does not trust: {@code level} 0 for a data block ({@code firstLogical} is then its
         * file block), 1..3 for an indirect block. Return true to walk a repeated indirect block anyway (it is then
         * handed to {@link #indirect} as usual); a pointer outside the volume is never followed. By default throws
         * a {@link CorruptFsException} naming the pointer.
         */
        default boolean bad(Bad kind, long physical, int level, long firstLogical) throws IOException {
            throw new CorruptFsException(describe(kind, physical, level, firstLogical));
        }
    }

    /**
     * Receives the data as runs: file blocks [logical, logical + length) stored at [physical, physical + length).
     * A run ends at a hole or where the next block is not the physical successor (an indirect block in between).
     */
    public interface RunVisitor {
        /** As {@link Visitor#indirect}; by default every indirect block is read. */
        default boolean indirect(long physical, int level, long firstLogical) throws IOException {
            return true;
        }

        void run(long logical, long physical, long length) throws IOException;

        /** As {@link Visitor#bad}, throwing by default. */
        default boolean bad(Bad kind, long physical, int level, long firstLogical) throws IOException {
            throw new CorruptFsException(describe(kind, physical, level, firstLogical));
        }
    }

    private final BlockMapShape shape;
    private final long firstDataBlock;
    private final long blocksCount;
    private final BlockSource source;

    /** A walker over maps of the volume {@code geo} describes, reading indirect blocks from {@code source}. */
    public BlockMapWalker(Geometry geo, BlockSource source) {
        this.shape = new BlockMapShape(geo.blockSize());
        this.firstDataBlock = geo.firstDataBlock();
        this.blocksCount = geo.blocksCount();
        this.source = source;
    }

    public BlockMapShape shape() {
        return shape;
    }

    /** True when {@code block} may be pointed at by a block map: inside [first data block, blocks count). */
    public boolean inRange(long block) {
        return block >= firstDataBlock && block < blocksCount;
    }

    /** {@code block} when it is 0 (a hole) or inside the volume; otherwise throws naming the inode. */
    public long checked(long ino, long block) throws CorruptFsException {
        if (block != 0 && !inRange(block)) {
            throw new CorruptFsException("inode " + ino + ": block pointer " + block + " outside the volume");
        }
        return block;
    }

    /** What a {@link Bad} pointer is, in words (the default {@link Visitor#bad} message). */
    public static String describe(Bad kind, long physical, int level, long firstLogical) {
        String what = level == 0 ? "file block " + firstLogical + " maps to block " + physical
                : "indirect block " + physical + " (level " + level + ", file blocks from " + firstLogical + ")";
        return switch (kind) {
            case OUT_OF_RANGE -> "block map: " + what + ", outside the volume";
            case REPEATED_INDIRECT -> "block map: " + what + " appears twice in the map (a loop or a shared block)";
        };
    }

    /**
     * Physical block of file block {@code n} of inode {@code ino}, or 0 for a hole (also beyond the tree). Every
     * pointer on the path is range-checked before it is followed.
     */
    public long resolve(long ino, Inode inode, long n, PointerSource pointers) throws IOException {
        if (n >= shape.treeCapacity()) {
            return 0;
        }
        int[] path = shape.path(n);
        long blk = checked(ino, inode.block(path[0]));
        for (int level = 1; level < path.length && blk != 0; level++) {
            blk = checked(ino, pointers.pointer(blk, path[level]));
        }
        return blk;
    }

    /** Visits the map of {@code inode} (the caller decides it has one: not a fast symlink or a device). */
    public void walk(Inode inode, Visitor visitor) throws IOException {
        for (int i = 0; i < Inode.NDIR_BLOCKS; i++) {
            long p = inode.block(i);
            if (p != 0) {
                dataPointer(i, p, visitor);
            }
        }
        long per = shape.pointersPerBlock();
        long first = Inode.NDIR_BLOCKS;
        Set<Long> seen = new HashSet<>();
        walkIndirect(inode.block(Inode.IND_BLOCK), 1, first, visitor, seen);
        first += per;
        walkIndirect(inode.block(Inode.DIND_BLOCK), 2, first, visitor, seen);
        first += per * per;
        walkIndirect(inode.block(Inode.TIND_BLOCK), 3, first, visitor, seen);
    }

    /** What a bad pointer on the path to one of the first blocks becomes ({@link #mapFirst}). */
    @FunctionalInterface
    public interface BadPointer {
        CorruptFsException of(Bad kind, long physical, int level, long firstLogical);
    }

    /**
     * Physical blocks of logical blocks 0..count-1 in logical order (0 for holes), in one walk that reads each
     * indirect block once and nothing beyond them: a bad pointer on their paths is thrown as {@code bad} makes it,
     * one beyond them is neither read nor judged.
     */
    public long[] mapFirst(Inode inode, int count, BadPointer bad) throws IOException {
        long[] map = new long[count];
        walk(inode, new Visitor() {
            @Override
            public boolean indirect(long physical, int level, long firstLogical) {
                return firstLogical < count;
            }

            @Override
            public void data(long logical, long physical) {
                if (logical < count) {
                    map[(int) logical] = physical;
                }
            }

            @Override
            public boolean bad(Bad kind, long physical, int level, long firstLogical) throws CorruptFsException {
                if (firstLogical < count) {
                    throw bad.of(kind, physical, level, firstLogical);
                }
                return false;
            }
        });
        return map;
    }

    /** {@link #walk} with the data blocks gathered into runs (dump, fragmentation: one call per run). */
    public void walkRuns(Inode inode, RunVisitor runs) throws IOException {
        long[] open = {0, 0, 0}; // logical, physical, length of the run being gathered
        walk(inode, new Visitor() {
            @Override
            public boolean indirect(long physical, int level, long firstLogical) throws IOException {
                return runs.indirect(physical, level, firstLogical);
            }

            @Override
            public void data(long logical, long physical) throws IOException {
                if (open[2] > 0 && logical == open[0] + open[2] && physical == open[1] + open[2]) {
                    open[2]++;
                    return;
                }
                if (open[2] > 0) {
                    runs.run(open[0], open[1], open[2]);
                }
                open[0] = logical;
                open[1] = physical;
                open[2] = 1;
            }

            @Override
            public boolean bad(Bad kind, long physical, int level, long firstLogical) throws IOException {
                return runs.bad(kind, physical, level, firstLogical);
            }
        });
        if (open[2] > 0) {
            runs.run(open[0], open[1], open[2]);
        }
    }

    private void dataPointer(long logical, long physical, Visitor visitor) throws IOException {
        if (inRange(physical)) {
            visitor.data(logical, physical);
        } else {
            visitor.bad(Bad.OUT_OF_RANGE, physical, 0, logical);
        }
    }

    private void walkIndirect(long physical, int level, long firstLogical, Visitor visitor, Set<Long> seen)
            throws IOException {
        if (physical == 0) {
            return;
        }
        if (!inRange(physical)) {
            visitor.bad(Bad.OUT_OF_RANGE, physical, level, firstLogical);
            return;
        }
        if (!seen.add(physical) && !visitor.bad(Bad.REPEATED_INDIRECT, physical, level, firstLogical)) {
            return;
        }
        if (!visitor.indirect(physical, level, firstLogical)) {
            return;
        }
        byte[] block = source.read(physical);
        long per = shape.pointersPerBlock();
        long span = 1;
        for (int l = 1; l < level; l++) {
            span *= per;
        }
        for (int k = 0; k < per; k++) {
            long p = IndirectBlock.get(block, k);
            if (p == 0) {
                continue;
            }
            if (level == 1) {
                dataPointer(firstLogical + k, p, visitor);
            } else {
                walkIndirect(p, level - 1, firstLogical + k * span, visitor, seen);
            }
        }
    }
}
