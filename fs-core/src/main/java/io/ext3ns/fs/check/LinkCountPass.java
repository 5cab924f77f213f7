package io.ext3ns.fs.check;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.disk.DirEntryType;

/**
 * Pass 4: each in-use inode's i_links_count must equal the directory entries naming it ('.' and '..' included, so a
 * directory counts its parent's entry, its own '.' and each subdirectory's '..'). An in-use file nobody names is an
 * orphan: a repair links it into /lost+found as #ino.
 */
final class LinkCountPass {
    static final int PASS = 4;
    /** EXT2_LINK_MAX. */
    static final int LINK_MAX = 65000;

    private final CheckState st;

    LinkCountPass(CheckState st) {
        this.st = st;
    }

    void run() {
        long checked = 0;
        for (CheckState.InodeInfo in : st.inodes.values()) {
            st.progress.update(checked++);
            long ino = in.ino;
            if (ino < st.sb.firstIno() && ino != FileSystem.ROOT_INO) {
                continue; // the journal and other reserved inodes have no names
            }
            int counted = in.references;
            if (counted == 0) {
                if (!in.isDirectory()) {
                    int type = DirEntryType.ofMode(in.mode);
                    st.report(Problem.error(PASS, "unattached inode " + ino,
                            r -> r.linkIntoLostAndFound(ino, type)));
                }
                continue; // unconnected directories are pass 3's
            }
            if (counted != in.links) {
                Problem.Repair fix = counted <= LINK_MAX ? r -> r.updateInode(ino, x -> x.setLinksCount(counted)) : null;
                st.report(Problem.error(PASS, "inode " + ino + " ref count is " + in.links + ", should be " + counted,
                        fix));
            }
        }
        st.progress.update(checked);
    }
}
