package io.ext3ns.fs.engine;

import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.ExtendedAttributes;
import io.ext3ns.fs.disk.XattrEntry;
import java.io.IOException;
import java.util.List;

/**
 * An inode's extended-attribute block (i_file_acl, ext_attr), possibly shared by several inodes through h_refcount:
 * read and checked, written in place or as a new copy, and given up by one inode (freed with its last reference).
 */
final class ExtendedAttributeBlock {
    private ExtendedAttributeBlock() {
    }

    /** The block's entries, after checking the pointer and every field of the block. */
    static List<XattrEntry> read(Volume vol, long ino, long block) throws IOException {
        checkRange(vol, ino, block);
        return vol.meta.read(block, b -> ExtendedAttributes.decodeBlock(b,
                "inode " + ino + ": extended attribute block " + block));
    }

    /** h_refcount of a block {@link #read} has checked. */
    static long refcount(Volume vol, long block) throws IOException {
        return vol.meta.read(block, b -> ExtendedAttributes.header(b).refcount());
    }

    /** Rewrites a block only this inode refers to. */
    static void rewrite(Volume vol, long block, byte[] encoded) throws IOException {
        vol.meta.modify(block, b -> {
            System.arraycopy(encoded, 0, b, 0, b.length);
            return null;
        });
    }

    /** Allocates a block near the inode and writes {@code encoded} (refcount 1) into it. */
    static long create(Volume vol, BlockAllocator balloc, long ino, byte[] encoded) throws IOException {
        long block = balloc.allocate(vol.geo.groupFirstBlock(vol.geo.groupOfInode(ino)));
        vol.meta.create(block, b -> {
            System.arraycopy(encoded, 0, b, 0, b.length);
            return null;
        });
        return block;
    }

    /** Drops one inode's reference, freeing the block when it was the last (h_refcount at byte 4). */
    static void release(Volume vol, BlockAllocator balloc, long ino, long block) throws IOException {
        checkRange(vol, ino, block);
        boolean last = vol.meta.modify(block, b -> {
            ExtendedAttributes.BlockHeader h = ExtendedAttributes.header(b);
            if (h.magic() != ExtendedAttributes.MAGIC) {
                throw new CorruptFsException("inode " + ino + ": extended attribute block " + block + " has bad magic");
            }
            if (h.refcount() <= 1) {
                return true;
            }
            ExtendedAttributes.setRefcount(b, h.refcount() - 1);
            return false;
        });
        if (last) {
            balloc.free(block);
        }
    }

    private static void checkRange(Volume vol, long ino, long block) throws CorruptFsException {
        if (!vol.geo.isDataBlockInRange(block)) {
            throw new CorruptFsException("inode " + ino + ": i_file_acl " + block + " outside the volume");
        }
    }
}
