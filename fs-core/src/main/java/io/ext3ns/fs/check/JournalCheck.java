package io.ext3ns.fs.check;

import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.journal.Journal;

/**
 * Pass 0 for the journal and the orphan list, judged as e2fsck -n judges them: a pending recovery is skipped with a
 * note (-y replays it before the scan); a journal whose superblock or inode map does not validate is an error; an
 * orphan list is a note, and -y clears it once the scan has released the orphans, so the kernel does not process
 * inodes this check already freed.
 */
final class JournalCheck {
    private final CheckState st;

    JournalCheck(CheckState st) {
        this.st = st;
    }

    void run() throws java.io.IOException {
        if (st.sb.hasCompat(Features.COMPAT_HAS_JOURNAL) && st.sb.journalInum() != 0) {
            try {
                Journal.open(st.volume.blocks().device());
            } catch (FsException e) {
                st.report(Problem.error(0, "invalid journal (inode " + st.sb.journalInum() + "): "
                        + e.getMessage().replaceFirst("^[A-Z]+: ", "")));
            }
        }
        if (st.sb.hasIncompat(Features.INCOMPAT_RECOVER)) {
            st.report(Problem.note(0, "journal recovery skipped in a read-only check (fsck -y replays it)", null));
        }
        if (st.sb.lastOrphan() != 0) {
            st.report(Problem.note(0, "orphan list starts at inode " + st.sb.lastOrphan()
                    + "; its inodes are released by this check", r -> r.updateSuperblock(sb -> sb.setLastOrphan(0))));
        }
    }
}
