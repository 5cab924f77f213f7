package io.ext3ns.fs.engine;

import java.util.BitSet;

/**
 * Blocks freed but not yet free on disk (ext3's rule, kept by its committed-data bitmaps): a block freed since the
 * last write-back began may still belong to its old owner in the committed metadata, so it must not be reused (and
 * get new data written over it) until the write-back that records its free has committed. Otherwise a crash
 * before that commit leaves the old owner, whose delete never committed, pointing at someone else's data: for an
 * indirect block, at garbage pointers.
 *
 * <p>Two generations per group: {@code fresh} (freed since the current or last write-back began) and
 * {@code committing} (freed before it began, so their free is in it). A write-back start moves fresh into
 * committing; its commit releases committing. Guarded by each group's monitor, like the bitmap itself.
 */
final class FreedBlocks implements Volume.WriteBackListener {
    private final Group[] groups;
    private final BitSet[] fresh;
    private final BitSet[] committing;

    FreedBlocks(Group[] groups) {
        this.groups = groups;
        this.fresh = new BitSet[groups.length];
        this.committing = new BitSet[groups.length];
    }

    /** Records a block just freed (the caller holds the group's monitor). */
    void hold(int group, int bit) {
        if (fresh[group] == null) {
            fresh[group] = new BitSet();
        }
        fresh[group].set(bit);
    }

    /** True while {@code bit} of {@code group} may not be reused (caller holds the group's monitor). */
    boolean isHeld(int group, int bit) {
        return (fresh[group] != null && fresh[group].get(bit))
                || (committing[group] != null && committing[group].get(bit));
    }

    /** The first held bit at or after {@code from}, or -1 (caller holds the group's monitor). */
    int nextHeld(int group, int from) {
        int a = fresh[group] == null ? -1 : fresh[group].nextSetBit(from);
        int b = committing[group] == null ? -1 : committing[group].nextSetBit(from);
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    @Override
    public void starting() {
        for (int g = 0; g < groups.length; g++) {
            synchronized (groups[g]) {
                if (fresh[g] != null) {
                    if (committing[g] == null) {
                        committing[g] = fresh[g];
                    } else {
                        committing[g].or(fresh[g]); // an earlier write-back failed: keep holding its blocks too
                    }
                    fresh[g] = null;
                }
            }
        }
    }

    @Override
    public void committed() {
        for (int g = 0; g < groups.length; g++) {
            synchronized (groups[g]) {
                committing[g] = null;
            }
        }
    }
}
