package io.ext3ns.fs.engine;

import io.ext3ns.fs.disk.GroupDescriptor;

/**
 * One block group in memory: its descriptor, and the monitor that serialises changes to its bitmaps and counts
 * (allocators lock one group at a time, so groups allocate in parallel).
 */
final class Group {
    final long index;
    final GroupDescriptor desc;

    Group(long index, GroupDescriptor desc) {
        this.index = index;
        this.desc = desc;
    }
}
