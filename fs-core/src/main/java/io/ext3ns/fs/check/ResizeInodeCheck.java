package io.ext3ns.fs.check;

import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Inode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The resize inode (7) of mke2fs images, checked as e2fsck's check_resize_inode does: only its double indirect
 * pointer is set; the DIND block names the reserved GDT blocks of group 0 (slot = its index past the descriptor
 * table, modulo pointers per block), and each of them names its copies in the backup groups, in order — for the
 * first quarter of the reserved blocks, as far as e2fsck looks.
 * Nothing here is repaired (e2fsck recreates the inode; we report it).
 */
final class ResizeInodeCheck {
    static final long RESIZE_INO = 7;

    private final CheckState st;

    ResizeInodeCheck(CheckState st) {
        this.st = st;
    }

    /** True when inode 7 has the resize layout (or the feature is off); reports otherwise. */
    boolean run(Inode in) throws IOException {
        if (!st.sb.hasCompat(Features.COMPAT_RESIZE_INODE) || st.sb.reservedGdtBlocks() == 0) {
            return true;
        }
        String problem = layoutProblem(in);
        if (problem != null) {
            st.report(Problem.error(0, "resize inode not valid: " + problem));
            return false;
        }
        return true;
    }

    private String layoutProblem(Inode in) throws IOException {
        Geometry geo = st.geo;
        for (int i = 0; i < Inode.N_BLOCKS; i++) {
            if (i != Inode.DIND_BLOCK && in.block(i) != 0) {
                return "i_block[" + i + "] is set";
            }
        }
        long dind = in.block(Inode.DIND_BLOCK);
        if (dind == 0 || !geo.isDataBlockInRange(dind)) {
            return "double indirect block " + dind + " out of range";
        }
        ByteBuffer dindPtrs = pointers(dind);
        int perBlock = geo.blockSize() / 4;
        long gdtOffset = geo.gdtBlocks();
        long reserved = geo.firstDataBlock() + 1 + geo.gdtBlocks();
        // e2fsck verifies only the first quarter of the reserved GDT blocks; so do we, to reach the same verdicts
        for (int i = 0; i < st.sb.reservedGdtBlocks() / 4; i++, gdtOffset++, reserved++) {
            int slot = (int) (gdtOffset % perBlock);
            if (pointer(dindPtrs, slot) != reserved) {
                return "DIND slot " + slot + " is " + pointer(dindPtrs, slot) + ", should be " + reserved;
            }
            ByteBuffer backups = pointers(reserved);
            int next = 0;
            for (long g = 1; g < geo.groupCount(); g++) {
                if (!geo.hasSuperBackup(g)) {
                    continue;
                }
                long expect = reserved + g * geo.blocksPerGroup();
                if (next >= perBlock || pointer(backups, next) != expect) {
                    return "reserved GDT block " + reserved + " does not name its copy in group " + g;
                }
                next++;
            }
        }
        return null;
    }

    private ByteBuffer pointers(long block) throws IOException {
        return ByteBuffer.wrap(st.volume.readBlock(block)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long pointer(ByteBuffer ptrs, int index) {
        return ptrs.getInt(4 * index) & 0xFFFF_FFFFL;
    }
}
