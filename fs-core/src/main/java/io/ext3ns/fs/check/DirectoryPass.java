package io.ext3ns.fs.check;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.DirEntryType;
import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Features;
import java.io.IOException;
import java.util.List;

/**
 * Pass 2: every block of every directory read linearly (htree index blocks read as the empty entries they look
 * like): rec_len chains, '.' and '..' first, each entry naming a valid in-use inode with the file type its mode
 * says, no second name for a directory. Counts the references pass 4 compares with link counts and records each
 * directory's parent and '..' for pass 3.
 */
final class DirectoryPass {
    static final int PASS = 2;

    private final CheckState st;
    private final boolean fileTypes;

    DirectoryPass(CheckState st) {
        this.st = st;
        this.fileTypes = st.sb.hasIncompat(Features.INCOMPAT_FILETYPE);
    }

    void run() throws IOException {
        long checked = 0;
        for (CheckState.DirInfo dir : st.dirs.values()) {
            st.progress.update(checked++);
            long expectLogical = 0;
            for (long[] lp : dir.blocks) {
                if (lp[0] != expectLogical) {
                    st.report(Problem.error(PASS, "directory inode " + dir.ino + " has a hole at block #"
                            + expectLogical));
                }
                expectLogical = lp[0] + 1;
                checkBlock(dir, lp[0], lp[1]);
            }
            if (dir.blocks.isEmpty()) {
                st.report(Problem.error(PASS, "directory inode " + dir.ino + " has no blocks"));
            }
        }
        st.progress.update(checked);
    }

    private void checkBlock(CheckState.DirInfo dir, long logical, long physical) throws IOException {
        String where = "directory inode " + dir.ino + ", block #" + logical;
        List<DirectoryBlock.Entry> entries;
        byte[] raw = st.volume.readBlock(physical);
        try {
            entries = new DirectoryBlock(raw).entries(where, false);
        } catch (CorruptFsException e) {
            st.report(Problem.error(PASS, e.detail() + " (directory corrupted)",
                    r -> r.patchBlock(physical, b -> salvage(dir, logical, b))));
            return;
        }
        if (logical == 0 && entries.size() == 1 && entries.get(0).recLen() >= 2 * DirectoryBlock.MIN_REC_LEN) {
            // only '.' (spanning the block): e2fsck splits it and puts '..' (the root until pass 3) in the rest
            DirectoryBlock.Entry dot = entries.get(0);
            int type = fileTypes ? DirEntryType.DIR : DirEntryType.UNKNOWN;
            int bs = st.geo.blockSize();
            st.report(Problem.error(PASS, "missing '..' in " + where + " ('.' is big)", r -> r.patchBlock(physical,
                    b -> splitDot(b, dot.recLen(), type, bs))));
        }
        for (int i = 0; i < entries.size(); i++) {
            DirectoryBlock.Entry e = entries.get(i);
            String at = where + ", offset " + e.offset();
            if (logical == 0 && i == 0) {
                checkDot(dir, e, raw, physical, at);
            } else if (logical == 0 && i == 1) {
                checkDotDot(dir, e, raw, physical, at);
            } else if (e.inode() != 0) {
                e = checkName(e, physical, at);
                checkEntry(dir, e, physical, at);
            }
        }
    }

    /**
     * A broken entry chain, salvaged more simply than e2fsck does: the entries before the first bad one are kept and
     * the rest of the block emptied; a broken '.' or '..' gives block 0 fresh ones ('..' naming the root until pass 3
     * puts in the real parent). Inodes only the dropped entries named are reconnected to lost+found by the rescan.
     */
    private static void salvage(CheckState.DirInfo dir, long logical, byte[] block) {
        DirectoryBlock d = new DirectoryBlock(block);
        int bad = d.truncateAtFirstBadEntry();
        if (logical == 0 && bad >= 0 && bad <= DirectoryBlock.MIN_REC_LEN) {
            d.initDirectory(dir.ino, FileSystem.ROOT_INO);
        }
    }

    private void checkDot(CheckState.DirInfo dir, DirectoryBlock.Entry e, byte[] raw, long physical, String at) {
        int type = fileTypes ? DirEntryType.DIR : DirEntryType.UNKNOWN;
        long ino = dir.ino;
        if (e.inode() == 0 || e.nameLen() != 1 || e.name()[0] != '.') {
            // as e2fsck: the first entry becomes '.' (a name it held turns up unattached and is reconnected)
            st.report(Problem.error(PASS, "missing '.' in " + at, r -> r.patchBlock(physical,
                    b -> writeDotName(b, e.offset(), ino, ".", type))));
            return;
        }
        if (e.inode() != ino) {
            st.report(Problem.error(PASS, "invalid inode number " + e.inode() + " for '.' in " + at,
                    r -> r.setEntryTarget(physical, e.offset(), ino, type)));
            return;
        }
        checkNulTerminated(e, raw, physical, at);
        checkDirectoryType(e, physical, at);
        st.inodes.get(dir.ino).references++;
    }

    /** '.' (rec_len {@code dotLen}) cut to 12 bytes, and '..' naming the root in the rest. */
    private static void splitDot(byte[] b, int dotLen, int type, int bs) {
        int rest = dotLen - DirectoryBlock.MIN_REC_LEN;
        int dot = DirectoryBlock.recLenToDisk(DirectoryBlock.MIN_REC_LEN, bs);
        b[4] = (byte) dot;
        b[5] = (byte) (dot >> 8);
        int at = DirectoryBlock.MIN_REC_LEN;
        java.util.Arrays.fill(b, at, at + DirectoryBlock.MIN_REC_LEN, (byte) 0);
        int len = DirectoryBlock.recLenToDisk(rest, bs);
        b[at + 4] = (byte) len;
        b[at + 5] = (byte) (len >> 8);
        writeDotName(b, at, FileSystem.ROOT_INO, "..", type);
    }

    /** Rewrites the entry at {@code offset} (its frame is sound) as '.' or '..' naming {@code ino}. */
    private static void writeDotName(byte[] b, int offset, long ino, String name, int type) {
        DirectoryBlock d = new DirectoryBlock(b);
        d.retarget(offset, ino, type);
        b[offset + 6] = (byte) name.length();
        b[offset + DirectoryBlock.HEADER] = '.';
        b[offset + DirectoryBlock.HEADER + 1] = (byte) (name.length() == 2 ? '.' : 0);
        if (name.length() == 2) {
            b[offset + DirectoryBlock.HEADER + 2] = 0;
        }
    }

    /**
     * e2fsck's PR_2_DOT_NULL_TERM / PR_2_DOT_DOT_NULL_TERM: the byte after the name '.' or '..' (inside the 12 bytes
     * such an entry always has) must be NUL; -y zeroes it.
     */
    private void checkNulTerminated(DirectoryBlock.Entry e, byte[] raw, long physical, String at) {
        int after = e.offset() + DirectoryBlock.HEADER + e.nameLen();
        if (raw[after] != 0) {
            st.report(Problem.error(PASS, "'" + e.printableName() + "' directory entry in " + at
                    + " is not NUL terminated", r -> r.patchBlock(physical, b -> b[after] = 0)));
        }
    }

    /** '.' and '..' naming a directory carry its file type, as every other entry does (e2fsck's check_filetype). */
    private void checkDirectoryType(DirectoryBlock.Entry e, long physical, String at) {
        int want = fileTypes ? DirEntryType.DIR : DirEntryType.UNKNOWN;
        if (e.fileType() != want) {
            st.report(Problem.error(PASS, "entry '" + e.printableName() + "' in " + at + " has an incorrect filetype"
                    + " (was " + e.fileType() + ", should be " + want + ")",
                    r -> r.setEntryTarget(physical, e.offset(), e.inode(), want)));
        }
    }

    /**
     * e2fsck's check_name: a name holding NUL or '/' cannot be looked up or listed; -y replaces those bytes with
     * '.', as e2fsck does. Returns the entry as the rest of the pass should judge it (with the repaired name).
     */
    private DirectoryBlock.Entry checkName(DirectoryBlock.Entry e, long physical, String at) {
        byte[] name = e.name().clone();
        boolean bad = false;
        for (int i = 0; i < name.length; i++) {
            if (name[i] == 0 || name[i] == '/') {
                name[i] = '.';
                bad = true;
            }
        }
        if (!bad) {
            return e;
        }
        String shown = e.printableName().replace("\0", "^@");
        st.report(Problem.error(PASS, "entry '" + shown + "' in " + at + " has illegal characters in its name",
                r -> r.patchBlock(physical, b -> System.arraycopy(name, 0, b,
                        e.offset() + DirectoryBlock.HEADER, name.length))));
        return new DirectoryBlock.Entry(e.offset(), e.inode(), e.recLen(), e.nameLen(), e.fileType(), name);
    }

    private void checkDotDot(CheckState.DirInfo dir, DirectoryBlock.Entry e, byte[] raw, long physical,
                             String at) {
        if (e.inode() == 0 || !e.isDotOrDotDot() || e.nameLen() != 2) {
            // as e2fsck: the second entry becomes '..' naming the root; pass 3 then puts in the real parent
            int type = fileTypes ? DirEntryType.DIR : DirEntryType.UNKNOWN;
            st.report(Problem.error(PASS, "missing '..' in " + at, r -> r.patchBlock(physical,
                    b -> writeDotName(b, e.offset(), FileSystem.ROOT_INO, "..", type))));
            return;
        }
        checkNulTerminated(e, raw, physical, at);
        dir.dotdot = e.inode();
        dir.dotdotBlock = physical;
        dir.dotdotOffset = e.offset();
        CheckState.InodeInfo target = st.inodes.get(e.inode());
        if (target == null || !target.isDirectory()) {
            st.report(Problem.error(PASS, "'..' in " + at + " names inode " + e.inode()
                    + ", which is not an in-use directory"));
            return;
        }
        checkDirectoryType(e, physical, at);
        target.references++;
    }

    private void checkEntry(CheckState.DirInfo dir, DirectoryBlock.Entry e, long physical, String at) {
        String name = "entry '" + e.printableName() + "' in " + at;
        Problem.Repair clear = r -> r.clearEntry(physical, e.offset(), at);
        if (e.isDotOrDotDot()) {
            st.report(Problem.error(PASS, name + " is a '.' or '..' out of place", clear));
            return;
        }
        long ino = e.inode();
        if (!st.geo.isValidInode(ino) || (ino < st.sb.firstIno() && ino != FileSystem.ROOT_INO)) {
            st.report(Problem.error(PASS, name + " has bad inode #" + ino, clear));
            return;
        }
        CheckState.InodeInfo target = st.inodes.get(ino);
        if (target == null) {
            st.report(Problem.error(PASS, name + " has deleted/unused inode " + ino, clear));
            return;
        }
        int want = fileTypes ? DirEntryType.ofMode(target.mode) : DirEntryType.UNKNOWN;
        if (e.fileType() != want) {
            st.report(Problem.error(PASS, name + " has an incorrect filetype (was " + e.fileType() + ", should be "
                    + want + ")", r -> r.setEntryTarget(physical, e.offset(), ino, want)));
        }
        if (target.isDirectory()) {
            CheckState.DirInfo child = st.dirs.get(ino);
            if (ino == FileSystem.ROOT_INO || child.parent != 0) {
                st.report(Problem.error(PASS, name + " is a second link to directory " + ino, clear));
                return;
            }
            child.parent = dir.ino;
        }
        if (dir.ino == FileSystem.ROOT_INO && e.nameString().equals("lost+found")) {
            st.lostAndFound = ino;
        }
        target.references++;
    }
}
