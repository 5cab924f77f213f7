package io.ext3ns.fs.engine;

import io.ext3ns.fs.disk.CorruptFsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The one thing the engine does with ext_attr blocks (mke2fs -d copies xattrs into them): drop an inode's
 * reference when the inode is deleted, freeing the block when it was the last (h_refcount at byte 4).
 */
final class ExtendedAttributeBlock {
    private static final int MAGIC = 0xEA020000;

    private ExtendedAttributeBlock() {
    }

    static void release(Volume vol, BlockAllocator balloc, long ino, long block) throws IOException {
        if (!vol.geo.isDataBlockInRange(block)) {
            throw new CorruptFsException("inode " + ino + ": i_file_acl " + block + " outside the volume");
        }
        boolean last = vol.meta.modify(block, b -> {
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (bb.getInt(0) != MAGIC) {
                throw new CorruptFsException("inode " + ino + ": extended attribute block " + block + " has bad magic");
            }
            int refs = bb.getInt(4);
            if (refs <= 1) {
                return true;
            }
            bb.putInt(4, refs - 1);
            return false;
        });
        if (last) {
            balloc.free(block);
        }
    }
}
