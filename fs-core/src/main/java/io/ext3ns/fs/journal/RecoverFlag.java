package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Superblock;
import java.io.IOException;

/**
 * The ext3 superblock's needs-recovery flag (incompat RECOVER): set on disk while the journal is in use, so that
 * e2fsck and the kernel replay it after a crash; cleared at a clean close. Also forced into every logged or
 * checkpointed copy of the primary superblock's block, so that writing the superblock home cannot clear it while
 * the journal is in use. Those copies also keep s_state VALID: on a journaled file system a crash is repaired by
 * replay, not by a full check (the kernel's ext3/ext4 keep VALID set on disk the same way).
 */
final class RecoverFlag {
    private final DeviceBlocks io;
    private final long block;
    private final int offset;

    RecoverFlag(DeviceBlocks io) {
        this.io = io;
        this.block = Superblock.OFFSET / io.blockSize();
        this.offset = Superblock.OFFSET % io.blockSize();
    }

    /** The FS block that holds the primary superblock. */
    long superblockBlock() {
        return block;
    }

    /** Sets or clears the flag on disk (read-modify-write of the superblock's block; not flushed). */
    void writeOnDisk(boolean set) throws IOException {
        byte[] b = io.read(block);
        if (patch(b, set)) {
            io.write(block, b);
        }
    }

    /** Returns {@code content} with the flag set when it is the superblock's block, else unchanged (not copied). */
    byte[] forceSetIn(long fsBlock, byte[] content) throws CorruptFsException {
        if (fsBlock != block) {
            return content;
        }
        byte[] copy = content.clone();
        patch(copy, true);
        Superblock sb = Superblock.decode(copy, offset);
        sb.setState(sb.state() | Superblock.STATE_VALID);
        sb.encodeInto(copy, offset);
        return copy;
    }

    private boolean patch(byte[] b, boolean set) throws CorruptFsException {
        Superblock sb = Superblock.decode(b, offset);
        int incompat = sb.featureIncompat();
        int updated = set ? incompat | Features.INCOMPAT_RECOVER : incompat & ~Features.INCOMPAT_RECOVER;
        if (updated == incompat) {
            return false;
        }
        sb.setFeatureIncompat(updated);
        sb.encodeInto(b, offset);
        return true;
    }
}
