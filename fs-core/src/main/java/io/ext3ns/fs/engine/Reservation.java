package io.ext3ns.fs.engine;

/**
 * A file's allocation window (ext3's reservation window, grown for media): a range of free blocks in one group that
 * other allocations skip, so a file written sequentially gets consecutive blocks even while other files are written
 * at the same time. Blocks [start, metaEnd) are kept for the indirect blocks the window's data will need (so they
 * sit at the window start instead of inside the data run); data is handed out from [metaEnd, end).
 *
 * <p>Held only in memory: nothing in a window is marked in the bitmap until handed out. All fields change under the
 * monitor of the group the window lies in; the owning file's lock serialises the file's own allocations.
 */
final class Reservation {
    static final int INITIAL_BLOCKS = 16;
    static final int MAX_BLOCKS = 512;

    boolean active;
    long group;
    long start;
    long end;
    long next;
    long metaNext;
    long metaEnd;
    /** Size the window grows from: doubles on every refill up to {@link #MAX_BLOCKS}. */
    int size = INITIAL_BLOCKS / 2;
    /** Physical block of the last data block handed out, the goal of the next window. */
    long lastData = -1;

    boolean hasData() {
        return active && next < end;
    }

    boolean hasMeta() {
        return active && metaNext < metaEnd;
    }

    boolean overlaps(long block) {
        return active && block >= start && block < end;
    }

    int grownSize() {
        return Math.min(size * 2, MAX_BLOCKS);
    }

    @Override
    public String toString() {
        return active ? "window[" + start + "," + end + ") next " + next + " meta " + metaNext + "/" + metaEnd
                : "window(none)";
    }
}
