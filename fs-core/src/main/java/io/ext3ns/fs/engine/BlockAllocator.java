package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Bitmap;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Geometry;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Block allocation (Linux fs/ext2/balloc.c): bitmaps, group free counts, and the large-file policy.
 *
 * <p>Every change to a group's bitmap, its free count and its reservation windows happens under that group's
 * monitor, so groups allocate in parallel and no lock is global. A file being written owns a {@link Reservation}:
 * its blocks are handed out in order, the window grows in place while the blocks after it are free, and a window
 * that cannot grow moves to a free run chosen so that concurrent writers are spread apart (a run that starts right
 * after another writer's window is split in half, leaving that writer room to keep growing).
 */
final class BlockAllocator {
    private final Volume vol;
    private final Geometry geo;
    private final TreeMap<Long, Reservation>[] windows;
    private final LongConsumer onFree;
    private final FreedBlocks freed;

    @SuppressWarnings("unchecked")
    BlockAllocator(Volume vol, LongConsumer onFree) {
        this.vol = vol;
        this.geo = vol.geo;
        this.onFree = onFree;
        this.freed = new FreedBlocks(vol.groups);
        this.windows = new TreeMap[vol.groups.length];
        for (int i = 0; i < windows.length; i++) {
            windows[i] = new TreeMap<>();
        }
    }

    // ---- single blocks (directories, symlinks, indirect blocks of non-streamed files) ----

    /**
     * Allocates one block at or after {@code goal}, wrapping through all groups and back to the goal's group start;
     * first skipping others' windows and blocks whose free has not committed, then (last resort) taking any.
     */
    long allocate(long goal) throws IOException {
        long g0 = groupOf(goal);
        int n = vol.groups.length;
        for (int pass = 0; pass < 2; pass++) {
            boolean honourWindows = pass == 0;
            for (int i = 0; i <= n; i++) { // i == n: the goal's group again, from its start
                Group g = vol.groups[(int) ((g0 + i) % n)];
                long from = i == 0 ? goal : geo.groupFirstBlock(g.index);
                synchronized (g) {
                    if (g.desc.freeBlocks() == 0) {
                        continue;
                    }
                    long b = firstFree(g, from, honourWindows ? null : ANY);
                    if (b >= 0) {
                        take(g, b);
                        return b;
                    }
                }
            }
        }
        throw new FsException(Errno.ENOSPC, "no free block left on the volume");
    }

    /** Sentinel: ignore every window (last resort before ENOSPC: a full disk is shared by everyone). */
    private static final Reservation ANY = new Reservation();

    // ---- windowed allocation for file data ----

    /**
     * The next data block of a file written through window {@code r}: from the window, else the window grown in place,
     * else a new window near {@code goal}. {@code planner} says how many indirect blocks a new window must keep at
     * its start for the file blocks it will hold.
     */
    long allocateData(Reservation r, long goal, IndirectPlanner planner) throws IOException {
        if (r.hasData()) {
            long b = takeFromWindow(r, false);
            if (b >= 0) {
                return b;
            }
        }
        if (r.active && growInPlace(r, planner)) {
            long b = takeFromWindow(r, false);
            if (b >= 0) {
                return b;
            }
        }
        if (placeWindow(r, r.lastData >= 0 ? r.lastData + 1 : goal, planner)) {
            long b = takeFromWindow(r, false);
            if (b >= 0) {
                return b;
            }
        }
        release(r);
        long b = allocate(goal);
        r.lastData = b;
        return b;
    }

    /** An indirect block for a windowed file: from the window's start, else next to the goal. */
    long allocateIndirect(Reservation r, long goal) throws IOException {
        if (r.hasMeta()) {
            long b = takeFromWindow(r, true);
            if (b >= 0) {
                return b;
            }
        }
        return allocate(goal);
    }

    /** Says how many indirect blocks file blocks [fileBlock, fileBlock+count) will add to the file's map. */
    @FunctionalInterface
    interface IndirectPlanner {
        int indirectBlocksFor(int count);
    }

    /** Returns a window's unused blocks to everyone (on the last close of a file opened for writing). */
    void release(Reservation r) {
        if (!r.active) {
            return;
        }
        Group g = vol.groups[(int) r.group];
        synchronized (g) {
            windows[(int) r.group].remove(r.start);
            r.active = false;
        }
    }

    private long takeFromWindow(Reservation r, boolean meta) throws IOException {
        Group g = vol.groups[(int) r.group];
        synchronized (g) {
            long b = meta ? r.metaNext : r.next;
            if (!r.active || b >= (meta ? r.metaEnd : r.end)) {
                return -1;
            }
            if (meta) {
                r.metaNext++;
            } else {
                r.next++;
            }
            if (isUsed(g, b) || freed.isHeld((int) g.index, (int) (b - geo.groupFirstBlock(g.index)))) {
                return -1; // taken by a last-resort allocation that ignored windows, or freed and not yet committed
            }
            take(g, b);
            if (!meta) {
                r.lastData = b;
            }
            return b;
        }
    }

    /** Extends the window past its end over free, unreserved blocks; false if the very next block is not free. */
    private boolean growInPlace(Reservation r, IndirectPlanner planner) throws IOException {
        Group g = vol.groups[(int) r.group];
        synchronized (g) {
            long groupEnd = geo.groupFirstBlock(g.index) + geo.groupBlockCount(g.index);
            int want = r.grownSize();
            long len = freeRunLength(g, r.end, Math.min(groupEnd, r.end + want), r);
            if (len == 0) {
                return false;
            }
            // the old window is used up: the extension becomes the window, with its indirect blocks in front
            windows[(int) r.group].remove(r.start);
            int meta = Math.min(planner.indirectBlocksFor((int) len), (int) len - 1);
            setWindow(r, g.index, r.end, r.end + len, Math.max(meta, 0));
            r.size = want;
            return true;
        }
    }

    /** Moves the window to a new place near {@code goal}; false when no free block is left outside others' windows. */
    private boolean placeWindow(Reservation r, long goal, IndirectPlanner planner) throws IOException {
        release(r);
        int want = r.grownSize();
        long g0 = groupOf(goal);
        int n = vol.groups.length;
        long bestStart = -1;
        long bestLen = 0;
        long bestGroup = -1;
        for (int i = 0; i < n; i++) {
            Group g = vol.groups[(int) ((g0 + i) % n)];
            synchronized (g) {
                if (g.desc.freeBlocks() == 0) {
                    continue;
                }
                long[] found = findWindowIn(g, i == 0 ? goal : -1, want);
                if (found == null) {
                    continue;
                }
                if (found[1] >= want) {
                    int meta = Math.min(planner.indirectBlocksFor(want), want - 1);
                    setWindow(r, g.index, found[0], found[0] + want, meta);
                    r.size = want;
                    return true;
                }
                if (found[1] > bestLen) {
                    bestStart = found[0];
                    bestLen = found[1];
                    bestGroup = g.index;
                }
            }
        }
        if (bestLen == 0) {
            return false;
        }
        Group g = vol.groups[(int) bestGroup];
        synchronized (g) { // re-check: another writer may have taken the run meanwhile
            long len = freeRunLength(g, bestStart, bestStart + bestLen, r);
            if (len == 0) {
                return false;
            }
            int meta = Math.min(planner.indirectBlocksFor((int) len), (int) len - 1);
            setWindow(r, g.index, bestStart, bestStart + len, Math.max(meta, 0));
            r.size = want;
            return true;
        }
    }

    private void setWindow(Reservation r, long group, long start, long end, int metaBlocks) {
        r.active = true;
        r.group = group;
        r.start = start;
        r.end = end;
        r.metaNext = start;
        r.metaEnd = start + metaBlocks;
        r.next = start + metaBlocks;
        windows[(int) group].put(start, r);
    }

    /**
     * Where a window of {@code want} blocks goes in group {@code g}: at {@code goal} if a free run starts there;
     * else the first run (from the goal on) that offers {@code want} blocks, where a run that begins right after
     * another window offers only its second half; else the run offering most. Returns {start, usable length}.
     */
    private long[] findWindowIn(Group g, long goal, int want) throws IOException {
        long first = geo.groupFirstBlock(g.index);
        long end = first + geo.groupBlockCount(g.index);
        if (goal >= first && goal < end) {
            long len = freeRunLength(g, goal, Math.min(end, goal + want), null);
            if (len >= want) {
                return new long[] {goal, len};
            }
        }
        long from = goal >= first && goal < end ? goal : first;
        long[] best = null;
        for (int lap = 0; lap < 2; lap++) {
            long pos = lap == 0 ? from : first;
            long stop = lap == 0 ? end : from;
            while (pos < stop) {
                long s = firstFree(g, pos, null);
                if (s < 0 || s >= stop) {
                    break;
                }
                long len = freeRunLength(g, s, end, null);
                long useStart = s;
                long useLen = len;
                if (followsWindow(g, s) && len > 1) {
                    useStart = s + len / 2;
                    useLen = len - len / 2;
                }
                if (useLen >= want) {
                    return new long[] {useStart, useLen};
                }
                if (best == null || useLen > best[1]) {
                    best = new long[] {useStart, useLen};
                }
                pos = s + Math.max(len, 1);
            }
        }
        return best;
    }

    private boolean followsWindow(Group g, long block) {
        Map.Entry<Long, Reservation> e = windows[(int) g.index].lowerEntry(block);
        return e != null && e.getValue().end == block;
    }

    // ---- freeing ----

    /** Frees one block: clears its bit, counts it free, and forgets any cached copy. */
    void free(long block) throws IOException {
        if (!geo.isDataBlockInRange(block)) {
            throw new CorruptFsException("freeing block " + block + " outside the volume");
        }
        Group g = vol.groups[(int) groupOf(block)];
        int bit = (int) (block - geo.groupFirstBlock(g.index));
        synchronized (g) {
            if (!vol.meta.modify(g.desc.blockBitmap(), b -> new Bitmap(b).testAndClear(bit))) {
                throw new CorruptFsException("group " + g.index + ": freeing block " + block + " that is already free");
            }
            g.desc.setFreeBlocks(g.desc.freeBlocks() + 1);
            freed.hold((int) g.index, bit);
        }
        vol.meta.forget(block);
        onFree.accept(block);
    }

    /** The blocks freed but not yet reusable; the volume tells it when write-backs start and commit. */
    FreedBlocks freedBlocks() {
        return freed;
    }

    long freeBlocks() {
        long n = 0;
        for (Group g : vol.groups) {
            synchronized (g) {
                n += g.desc.freeBlocks();
            }
        }
        return n;
    }

    // ---- bitmap helpers (caller holds the group's monitor) ----

    private long groupOf(long block) {
        long b = Math.max(block, geo.firstDataBlock());
        long g = geo.groupOfBlock(b);
        return g >= vol.groups.length ? 0 : g;
    }

    private void take(Group g, long block) throws IOException {
        int bit = (int) (block - geo.groupFirstBlock(g.index));
        vol.meta.modify(g.desc.blockBitmap(), b -> {
            new Bitmap(b).set(bit);
            return null;
        });
        if (g.desc.freeBlocks() == 0) {
            throw new CorruptFsException("group " + g.index + ": bitmap has a free block but the free count is 0");
        }
        g.desc.setFreeBlocks(g.desc.freeBlocks() - 1);
    }

    private boolean isUsed(Group g, long block) throws IOException {
        int bit = (int) (block - geo.groupFirstBlock(g.index));
        return vol.meta.read(g.desc.blockBitmap(), b -> new Bitmap(b).get(bit));
    }

    /**
     * First free block at or after {@code from} in the group that no window other than {@code own} covers and whose
     * free has committed ({@code own == ANY}: windows and uncommitted frees are ignored). -1 if none.
     */
    private long firstFree(Group g, long from, Reservation own) throws IOException {
        long first = geo.groupFirstBlock(g.index);
        int limit = (int) geo.groupBlockCount(g.index);
        int bit = (int) Math.max(0, from - first);
        TreeMap<Long, Reservation> w = windows[(int) g.index];
        while (bit < limit) {
            int start = bit;
            int found = vol.meta.read(g.desc.blockBitmap(), b -> new Bitmap(b).nextClear(start, limit));
            if (found < 0) {
                return -1;
            }
            long block = first + found;
            if (own == ANY) {
                return block; // last resort: even a block whose free has not committed yet
            }
            if (freed.isHeld((int) g.index, found)) {
                bit = found + 1;
                continue;
            }
            Map.Entry<Long, Reservation> e = w.floorEntry(block);
            if (e != null && e.getValue() != own && e.getValue().overlaps(block)) {
                bit = (int) (e.getValue().end - first);
                continue;
            }
            return block;
        }
        return -1;
    }

    /** Length of the run of free, committed-free blocks in [from, to) that no window other than {@code own} covers. */
    private long freeRunLength(Group g, long from, long to, Reservation own) throws IOException {
        long first = geo.groupFirstBlock(g.index);
        int a = (int) (from - first);
        int z = (int) (to - first);
        int endFree = vol.meta.read(g.desc.blockBitmap(), b -> {
            int s = new Bitmap(b).nextSet(a, z);
            return s < 0 ? z : s;
        });
        int held = freed.nextHeld((int) g.index, a);
        long runEnd = first + (held >= 0 && held < endFree ? held : endFree);
        Map.Entry<Long, Reservation> before = windows[(int) g.index].floorEntry(from);
        if (before != null && before.getValue() != own && before.getValue().overlaps(from)) {
            return 0;
        }
        Map.Entry<Long, Reservation> after = windows[(int) g.index].ceilingEntry(from);
        while (after != null && after.getValue() == own) {
            after = windows[(int) g.index].higherEntry(after.getKey());
        }
        if (after != null && after.getKey() < runEnd) {
            runEnd = after.getKey();
        }
        return Math.max(0, runEnd - from);
    }
}
