package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import java.io.IOException;
import java.util.UUID;

/**
 * An offline look at the journal of a file system, for fsck: its validated superblock and the file-system block
 * that holds it, without opening the log. Validation is {@link Journal#open}'s (inode map, superblock); the caller
 * hands in the journal inode, read through whichever descriptor table it trusts (a backup's, after a bad primary).
 *
 * @param superblock the journal superblock (journal block 0)
 * @param fsBlock    the file-system block holding it, where a repair writes
 */
public record JournalProbe(JournalSuperblock superblock, long fsBlock) {
    /** Byte offset of s_errno (be32) in the journal superblock. */
    public static final int ERRNO_OFFSET = 0x20;
    /** Byte offset of s_start (be32): 0 = the log holds nothing to replay. */
    public static final int START_OFFSET = 0x1C;
    /** End of the version 1 journal superblock: e2fsck clears what follows when the v2 fields are invalid. */
    public static final int V1_SIZE = 0x24;

    /** Where the journal superblock belongs and the journal's length in blocks, from the journal inode's map. */
    public record Location(long fsBlock, long length) {
    }

    /** The journal's location when its inode map validates (whatever its superblock holds). */
    public static Location locate(DeviceBlocks blocks, Superblock sb, Inode inode) throws IOException {
        JournalBlockMap map = JournalBlockMap.read(blocks, sb, inode);
        return new Location(map.fsBlock(0), map.length());
    }

    /** The block holding a fresh, empty journal superblock: e2fsck's reset of a corrupt one (the log is lost). */
    public static byte[] freshSuperblockBlock(int blockSize, long length, UUID fsUuid) {
        byte[] block = new byte[blockSize];
        byte[] jsb = JournalSuperblock.create(blockSize, length, fsUuid).bytes();
        System.arraycopy(jsb, 0, block, 0, jsb.length);
        return block;
    }

    /** Reads the journal that {@code sb} (validated) describes, whose inode {@code sb.journalInum()} is {@code inode}. */
    public static JournalProbe read(DeviceBlocks blocks, Superblock sb, Inode inode) throws IOException {
        JournalLog log = JournalLog.open(blocks, sb, JournalBlockMap.read(blocks, sb, inode));
        return new JournalProbe(log.superblock(), log.fsBlockOfSuperblock());
    }
}
