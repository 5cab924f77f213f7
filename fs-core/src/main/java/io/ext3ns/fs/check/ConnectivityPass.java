package io.ext3ns.fs.check;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.disk.DirEntryType;
import java.util.HashSet;
import java.util.Set;

/**
 * Pass 3: every directory must hang from the root through the entries pass 2 found, and its '..' must name the
 * directory that holds it. A directory nobody names is reconnected to /lost+found by a repair.
 */
final class ConnectivityPass {
    static final int PASS = 3;

    private final CheckState st;

    ConnectivityPass(CheckState st) {
        this.st = st;
    }

    void run() {
        CheckState.DirInfo root = st.dirs.get(FileSystem.ROOT_INO);
        if (root == null) {
            st.report(Problem.error(PASS, "root directory is missing; cannot check connectivity"));
            return;
        }
        if (root.dotdotOffset >= 0 && root.dotdot != FileSystem.ROOT_INO) {
            fixDotDot(root, FileSystem.ROOT_INO);
        }
        long checked = 0;
        for (CheckState.DirInfo dir : st.dirs.values()) {
            st.progress.update(checked++);
            if (dir.ino == FileSystem.ROOT_INO) {
                continue;
            }
            if (dir.parent == 0) {
                long ino = dir.ino;
                st.report(Problem.error(PASS, "unconnected directory inode " + ino + " (its '..' says "
                        + dir.dotdot + ")", r -> r.reconnectDirectory(ino, dir.dotdotBlock, dir.dotdotOffset)));
                continue;
            }
            if (inLoop(dir)) {
                st.report(Problem.error(PASS, "directory inode " + dir.ino + " is part of a directory loop"));
                continue;
            }
            if (dir.dotdotOffset >= 0 && dir.dotdot != dir.parent) {
                fixDotDot(dir, dir.parent);
            }
        }
        st.progress.update(checked);
        if (st.lostAndFound == 0) {
            reportMissingLostAndFound();
        } else if (!st.dirs.containsKey(st.lostAndFound)) {
            st.report(Problem.error(PASS, "/lost+found (inode " + st.lostAndFound + ") is not a directory"));
        }
    }

    /** A note, as e2fsck -n says; -y creates it on the first unused inode and block (pass 4/5 then count them). */
    private void reportMissingLostAndFound() {
        long ino = st.sb.firstIno();
        while (ino <= st.geo.inodesCount() && st.inUse(ino)) {
            ino++;
        }
        long block = st.geo.firstDataBlock();
        while (block < st.geo.blocksCount() && st.used.isUsed(block)) {
            block++;
        }
        Problem.Repair create = null;
        if (ino <= st.geo.inodesCount() && block < st.geo.blocksCount()) {
            long freeIno = ino;
            long freeBlock = block;
            create = r -> r.createLostAndFound(freeIno, freeBlock);
        }
        st.report(Problem.note(PASS, "/lost+found not found", create));
    }

    private void fixDotDot(CheckState.DirInfo dir, long parent) {
        long block = dir.dotdotBlock;
        int offset = dir.dotdotOffset;
        st.report(Problem.error(PASS, "'..' in directory inode " + dir.ino + " is " + dir.dotdot + ", should be "
                + parent, r -> r.setEntryTarget(block, offset, parent, DirEntryType.DIR)));
    }

    /** True when following parents from {@code dir} cycles; a chain ending at an unconnected directory is not a loop. */
    private boolean inLoop(CheckState.DirInfo dir) {
        Set<Long> seen = new HashSet<>();
        long x = dir.ino;
        while (x != FileSystem.ROOT_INO) {
            if (!seen.add(x)) {
                return true;
            }
            CheckState.DirInfo d = st.dirs.get(x);
            if (d == null || d.parent == 0) {
                return false; // reported where the chain breaks
            }
            x = d.parent;
        }
        return false;
    }
}
