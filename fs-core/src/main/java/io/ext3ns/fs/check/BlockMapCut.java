package io.ext3ns.fs.check;

import io.ext3ns.fs.disk.BlockMapShape;
import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongPredicate;

/**
 * fsck's truncation of an indirect block map at file block {@code keep}: every pointer to a data block at or past
 * it is cleared, and so is every pointer to an indirect block that maps nothing below it; an indirect block that
 * maps both keeps its lower half and is rewritten. The blocks let go are not freed here: the rescan no longer finds
 * them in use, and pass 5 clears them from the bitmaps. Pointers outside the volume are cleared, never followed.
 */
final class BlockMapCut {
    private final DeviceBlocks blocks;
    private final BlockMapShape shape;
    private final LongPredicate inRange;

    BlockMapCut(DeviceBlocks blocks, BlockMapShape shape, LongPredicate inRange) {
        this.blocks = blocks;
        this.shape = shape;
        this.inRange = inRange;
    }

    /** Cuts {@code inode}'s map (changed in place; indirect blocks are written) so it maps nothing at or past keep. */
    void cut(Inode inode, long keep, Repairs repairs) throws IOException {
        for (int i = 0; i < Inode.NDIR_BLOCKS; i++) {
            if (i >= keep) {
                inode.setBlock(i, 0);
            }
        }
        long first = Inode.NDIR_BLOCKS;
        long span = shape.pointersPerBlock();
        for (int slot = Inode.IND_BLOCK; slot <= Inode.TIND_BLOCK; slot++) {
            int level = slot - Inode.IND_BLOCK + 1;
            long ptr = inode.block(slot);
            if (ptr != 0 && !keepsAny(ptr, level, first, span, keep, repairs)) {
                inode.setBlock(slot, 0);
            }
            first += span;
            span *= shape.pointersPerBlock();
        }
    }

    /**
     * Cuts the subtree of the indirect block {@code ptr} (mapping {@code span} file blocks from {@code first}); false
     * when nothing of it stays, so the caller clears its pointer.
     */
    private boolean keepsAny(long ptr, int level, long first, long span, long keep, Repairs repairs)
            throws IOException {
        if (first >= keep || !inRange.test(ptr)) {
            return false;
        }
        if (first + span <= keep) {
            return true; // wholly below the cut
        }
        byte[] b = blocks.read(ptr);
        ByteBuffer pointers = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long childSpan = span / shape.pointersPerBlock();
        boolean changed = false;
        boolean any = false;
        for (int i = 0; i < shape.pointersPerBlock(); i++) {
            long child = Integer.toUnsignedLong(pointers.getInt(i * 4));
            if (child == 0) {
                continue;
            }
            long childFirst = first + i * childSpan;
            boolean stays = level == 1 ? childFirst < keep && inRange.test(child)
                    : keepsAny(child, level - 1, childFirst, childSpan, keep, repairs);
            if (stays) {
                any = true;
            } else {
                pointers.putInt(i * 4, 0);
                changed = true;
            }
        }
        if (any && changed) {
            repairs.writeBlock(ptr, b);
        }
        return any;
    }
}
