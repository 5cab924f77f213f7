package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import java.io.IOException;

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

    /** Reads the journal that {@code sb} (validated) describes, whose inode {@code sb.journalInum()} is {@code inode}. */
    public static JournalProbe read(DeviceBlocks blocks, Superblock sb, Inode inode) throws IOException {
        JournalLog log = JournalLog.open(blocks, sb, JournalBlockMap.read(blocks, sb, inode));
        return new JournalProbe(log.superblock(), log.fsBlockOfSuperblock());
    }
}
