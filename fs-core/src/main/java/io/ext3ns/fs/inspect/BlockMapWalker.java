package io.ext3ns.fs.inspect;

import io.ext3ns.fs.disk.BlockMapShape;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Walks an inode's indirect block map in the order ext2fs_block_iterate does: direct blocks, then each indirect
 * block before the blocks it maps (IND, DIND, TIND). The visitor sees every non-zero pointer and decides whether an
 * indirect block is trustworthy enough to be read; the walker itself never follows a pointer the visitor refused.
 * The caller decides whether the inode has a block map at all (not a fast symlink or a device).
 */
public final class BlockMapWalker {

    /** Reads one file-system block. */
    @FunctionalInterface
    public interface BlockSource {
        byte[] read(long block) throws IOException;
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
    }

    private final BlockMapShape shape;
    private final BlockSource source;

    public BlockMapWalker(BlockMapShape shape, BlockSource source) {
        this.shape = shape;
        this.source = source;
    }

    public void walk(Inode inode, Visitor visitor) throws IOException {
        for (int i = 0; i < Inode.NDIR_BLOCKS; i++) {
            long p = inode.block(i);
            if (p != 0) {
                visitor.data(i, p);
            }
        }
        long per = shape.pointersPerBlock();
        long first = Inode.NDIR_BLOCKS;
        walkIndirect(inode.block(Inode.IND_BLOCK), 1, first, visitor);
        first += per;
        walkIndirect(inode.block(Inode.DIND_BLOCK), 2, first, visitor);
        first += per * per;
        walkIndirect(inode.block(Inode.TIND_BLOCK), 3, first, visitor);
    }

    private void walkIndirect(long physical, int level, long firstLogical, Visitor visitor) throws IOException {
        if (physical == 0 || !visitor.indirect(physical, level, firstLogical)) {
            return;
        }
        ByteBuffer ptrs = ByteBuffer.wrap(source.read(physical)).order(ByteOrder.LITTLE_ENDIAN);
        long per = shape.pointersPerBlock();
        long span = 1;
        for (int l = 1; l < level; l++) {
            span *= per;
        }
        for (int k = 0; k < per; k++) {
            long p = ptrs.getInt(4 * k) & 0xFFFF_FFFFL;
            if (p == 0) {
                continue;
            }
            if (level == 1) {
                visitor.data(firstLogical + k, p);
            } else {
                walkIndirect(p, level - 1, firstLogical + k * span, visitor);
            }
        }
    }
}
