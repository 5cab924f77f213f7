package io.ext3ns.fs.check;

import io.ext3ns.fs.disk.Bitmap;
import io.ext3ns.fs.disk.GroupDescriptor;
import java.io.IOException;

/**
 * Pass 5: each group's bitmaps against what passes 1–4 found in use (padding bits past the group's last block or
 * inode must be set), each descriptor's free and directory counts, and the superblock totals. Stale superblock totals
 * are only a note, as for e2fsck: the kernel keeps them lazily.
 */
final class GroupSummaryPass {
    static final int PASS = 5;
    /** Ranges listed per bitmap message. */
    private static final int MAX_RANGES = 12;

    private final CheckState st;
    long freeBlocks;
    long freeInodes;

    GroupSummaryPass(CheckState st) {
        this.st = st;
    }

    void run() throws IOException {
        for (int g = 0; g < st.volume.groupCount(); g++) {
            checkGroup(g);
            st.progress.update(g + 1);
        }
        long sbFreeBlocks = st.sb.freeBlocksCount();
        long sbFreeInodes = st.sb.freeInodesCount();
        long blocks = freeBlocks;
        long inodes = freeInodes;
        if (sbFreeBlocks != blocks) {
            st.report(Problem.note(PASS, "free blocks count wrong (" + sbFreeBlocks + ", counted=" + blocks + ")",
                    r -> r.updateSuperblock(sb -> sb.setFreeBlocksCount(blocks))));
        }
        if (sbFreeInodes != inodes) {
            st.report(Problem.note(PASS, "free inodes count wrong (" + sbFreeInodes + ", counted=" + inodes + ")",
                    r -> r.updateSuperblock(sb -> sb.setFreeInodesCount(inodes))));
        }
    }

    private void checkGroup(int g) throws IOException {
        GroupDescriptor gd = st.volume.descriptor(g);
        long first = st.geo.groupFirstBlock(g);
        int size = (int) st.geo.groupBlockCount(g);
        Bitmap want = new Bitmap(new byte[st.geo.blockSize()]);
        for (int i = 0; i < size; i++) {
            if (st.used.isUsed(first + i)) {
                want.set(i);
            }
        }
        want.setPadding(size);
        int freeB = size - want.countSet(size);
        compare(g, "block", gd.blockBitmap(), want, size, first);

        int ipg = (int) st.geo.inodesPerGroup();
        Bitmap wantI = new Bitmap(new byte[st.geo.blockSize()]);
        for (int i = 0; i < ipg; i++) {
            long ino = (long) g * ipg + i + 1;
            if (ino < st.sb.firstIno() || st.inUse(ino)) {
                wantI.set(i);
            }
        }
        wantI.setPadding(ipg);
        int freeI = ipg - wantI.countSet(ipg);
        compare(g, "inode", gd.inodeBitmap(), wantI, ipg, (long) g * ipg + 1);

        int dirs = (int) (long) st.dirsPerGroup.getOrDefault((long) g, 0L);
        freeBlocks += freeB;
        freeInodes += freeI;
        if (gd.freeBlocks() != freeB) {
            st.report(Problem.error(PASS, "free blocks count wrong for group #" + g + " (" + gd.freeBlocks()
                    + ", counted=" + freeB + ")", r -> r.updateDescriptor(g, d -> d.setFreeBlocks(freeB))));
        }
        if (gd.freeInodes() != freeI) {
            st.report(Problem.error(PASS, "free inodes count wrong for group #" + g + " (" + gd.freeInodes()
                    + ", counted=" + freeI + ")", r -> r.updateDescriptor(g, d -> d.setFreeInodes(freeI))));
        }
        if (gd.usedDirs() != dirs) {
            st.report(Problem.error(PASS, "directories count wrong for group #" + g + " (" + gd.usedDirs()
                    + ", counted=" + dirs + ")", r -> r.updateDescriptor(g, d -> d.setUsedDirs(dirs))));
        }
    }

    /** Reports +item (used, not marked) and -item (marked, not used) ranges, and unset padding. */
    private void compare(int g, String kind, long bitmapBlock, Bitmap want, int items, long firstItem)
            throws IOException {
        Bitmap have = new Bitmap(st.volume.readBlock(bitmapBlock));
        StringBuilder diff = new StringBuilder();
        int ranges = 0;
        int i = 0;
        while (i < items) {
            boolean w = want.get(i);
            if (have.get(i) == w) {
                i++;
                continue;
            }
            int start = i;
            while (i < items && have.get(i) != w && want.get(i) == w) {
                i++;
            }
            if (ranges++ < MAX_RANGES) {
                diff.append(' ').append(w ? '+' : '-').append(firstItem + start);
                if (i - start > 1) {
                    diff.append("--").append(firstItem + i - 1);
                }
            }
        }
        boolean padding = !have.paddingIsSet(items);
        if (ranges == 0 && !padding) {
            return;
        }
        String msg = "group #" + g + " " + kind + " bitmap differences:" + diff
                + (ranges > MAX_RANGES ? " ... (" + ranges + " ranges)" : "")
                + (padding ? " padding at end of " + kind + " bitmap is not set" : "");
        byte[] fixed = want.bytes().clone();
        st.report(Problem.error(PASS, msg, r -> r.writeBlock(bitmapBlock, fixed)));
    }
}
