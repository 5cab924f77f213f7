package io.ext3ns.fs.format;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Hands out the data blocks mkfs itself needs (root directory, lost+found, later the journal) as contiguous runs,
 * first fit from the start of group 0's data area, never crossing a group's metadata. The recorded runs are what the
 * block bitmaps and free counts are built from.
 */
final class FormatAllocator {
    /** A run of {@code count} blocks from {@code start}. */
    record Run(long start, long count) {
        long end() {
            return start + count;
        }
    }

    private final VolumeLayout layout;
    private final List<Run> runs = new ArrayList<>();
    private long group;
    private long cursor;

    FormatAllocator(VolumeLayout layout) {
        this.layout = layout;
        this.cursor = layout.firstDataBlock(0);
    }

    /** {@code count} contiguous blocks inside one group, from the first group (at or after the cursor) with room. */
    Run allocate(long count) throws FormatException {
        while (group < layout.groupCount()) {
            long groupEnd = layout.geometry().groupFirstBlock(group) + layout.geometry().groupBlockCount(group);
            if (groupEnd - cursor >= count) {
                Run r = new Run(cursor, count);
                runs.add(r);
                cursor += count;
                return r;
            }
            group++;
            if (group < layout.groupCount()) {
                cursor = layout.firstDataBlock(group);
            }
        }
        throw new FormatException("no room for " + count + " contiguous blocks");
    }

    /**
     * {@code count} blocks from the cursor on, spanning groups where one group's data area is too small: each
     * group's part is one run, and the metadata at the start of the next group is skipped (how mke2fs places a
     * journal larger than a group's free space).
     */
    List<Run> allocateSpanning(long count) throws FormatException {
        List<Run> out = new ArrayList<>();
        long left = count;
        while (left > 0 && group < layout.groupCount()) {
            long groupEnd = layout.geometry().groupFirstBlock(group) + layout.geometry().groupBlockCount(group);
            long take = Math.min(left, groupEnd - cursor);
            if (take > 0) {
                out.add(new Run(cursor, take));
                cursor += take;
                left -= take;
            }
            if (left > 0) {
                group++;
                if (group < layout.groupCount()) {
                    cursor = layout.firstDataBlock(group);
                }
            }
        }
        if (left > 0) {
            throw new FormatException("no room for " + count + " blocks");
        }
        runs.addAll(out);
        return out;
    }

    /** Blocks allocated inside [from, to). */
    long allocatedIn(long from, long to) {
        long n = 0;
        for (Run r : runs) {
            n += Math.max(0, Math.min(r.end(), to) - Math.max(r.start(), from));
        }
        return n;
    }

    List<Run> runs() {
        return Collections.unmodifiableList(runs);
    }
}
