package io.ext3ns.fs.check;

import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.journal.JournalProbe;
import java.util.Arrays;

/**
 * Pass 0 for the journal and the orphan list, judged as e2fsck -n judges them: a pending recovery is skipped with a
 * note (-y replays it before the scan); a journal whose superblock or inode map does not validate is an error, as is
 * an error number the kernel recorded in the journal superblock when it aborted the journal (-y clears it, as
 * e2fsck) and an external-journal UUID next to the internal journal inode (e2fsck goes looking for a device it
 * cannot find; -y clears the UUID, the internal journal being valid); an orphan list is a note, and -y clears it
 * once the scan has released the orphans, so the kernel does not process inodes this check already freed.
 */
final class JournalCheck {
    private final CheckState st;

    JournalCheck(CheckState st) {
        this.st = st;
    }

    void run() throws java.io.IOException {
        if (st.sb.hasCompat(Features.COMPAT_HAS_JOURNAL) && st.sb.journalInum() != 0) {
            checkInternalJournal();
        }
        if (st.sb.hasIncompat(Features.INCOMPAT_RECOVER)) {
            st.report(Problem.note(0, "journal recovery skipped in a read-only check (fsck -y replays it)", null));
        }
        if (st.sb.lastOrphan() != 0) {
            st.report(Problem.note(0, "orphan list starts at inode " + st.sb.lastOrphan()
                    + "; its inodes are released by this check", r -> r.updateSuperblock(sb -> sb.setLastOrphan(0))));
        }
    }

    private void checkInternalJournal() throws java.io.IOException {
        long ino = st.sb.journalInum();
        if (!st.geo.isValidInode(ino) || ino >= st.sb.firstIno()) {
            st.report(Problem.error(0, "invalid journal (inode " + ino + "): not a reserved inode"));
            return;
        }
        JournalProbe journal;
        Inode inode = st.volume.readInode(ino);
        try {
            journal = JournalProbe.read(st.volume.blocks(), st.sb, inode);
        } catch (FsException e) {
            st.report(Problem.error(0, "invalid journal (inode " + ino + "): "
                    + e.detail(), resetSuperblock(inode)));
            return;
        }
        if (st.sb.hasJournalUuid()) {
            st.report(Problem.error(0, "the superblock names an external journal (s_journal_uuid) but has the"
                    + " internal journal inode " + ino, r -> r.updateSuperblock(sb -> sb.clearJournalUuid())));
        }
        long block = journal.fsBlock();
        long users = journal.superblock().nrUsers();
        if (users > 1) {
            // e2fsck: an internal journal with several users has invalid v2 fields, cleared after the v1 ones
            st.report(Problem.error(0, "the journal superblock claims " + users + " file system users (an internal"
                    + " journal has one)", r -> r.patchBlock(block, b -> Arrays.fill(b, JournalProbe.V1_SIZE,
                    b.length, (byte) 0))));
        }
        if (journal.superblock().start() != 0 && !st.sb.hasIncompat(Features.INCOMPAT_RECOVER)) {
            // the kernel wipes such a log at mount (no needs_recovery: nothing of it was promised); so does -y
            st.report(Problem.error(0, "the journal holds data, but the needs_recovery flag is clear",
                    r -> r.patchBlock(block, b -> Arrays.fill(b, JournalProbe.START_OFFSET,
                            JournalProbe.START_OFFSET + 4, (byte) 0))));
        }
        int errno = journal.superblock().errno();
        if (errno != 0) {
            st.report(Problem.error(0, "the journal superblock records error " + errno
                    + " (the journal was aborted)", r -> r.patchBlock(block, b -> Arrays.fill(b,
                    JournalProbe.ERRNO_OFFSET, JournalProbe.ERRNO_OFFSET + 4, (byte) 0))));
        }
    }

    /**
     * e2fsck's repair of a corrupt journal superblock whose inode is sound: a fresh, empty superblock for the
     * inode's length (the log's contents are lost, as with e2fsck). Null when the inode itself is invalid.
     */
    private Problem.Repair resetSuperblock(Inode inode) throws java.io.IOException {
        try {
            JournalProbe.Location at = JournalProbe.locate(st.volume.blocks(), st.sb, inode);
            byte[] fresh = JournalProbe.freshSuperblockBlock(st.geo.blockSize(), at.length(), st.sb.uuid());
            return r -> r.writeBlock(at.fsBlock(), fresh);
        } catch (FsException e) {
            return null;
        }
    }
}
