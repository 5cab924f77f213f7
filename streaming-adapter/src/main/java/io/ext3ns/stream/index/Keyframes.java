package io.ext3ns.stream.index;

import java.util.Arrays;

/**
 * The random-access points of a transport stream's primary stream (its first video stream; for a title with no
 * video, its first audio stream, every frame of which is one), found by the same scan as the seek index. For each:
 * where a player may start reading ({@link #start}: the PAT/PMT just before the key frame when only tables lie
 * between it and the stream's previous packet, so a slice from there decodes alone, else the key frame's first
 * packet), where the key frame's own packets end ({@link #end}: past its PES's last packet on that PID), and its
 * presentation time ({@link #time}, 27 MHz ticks on the seek index's time line, from its PTS). Times strictly
 * increase. Also when the title's presentation starts and ends (over every stream: first PTS, last PTS plus one
 * frame), for exact HLS durations. Immutable.
 */
public final class Keyframes {
    private final long[] starts;
    private final long[] ends;
    private final long[] times;
    private final boolean video;
    private final long presentationStart;
    private final long presentationEnd;
    private final boolean[] withTables;
    private final long tablesStart;
    private final long tablesEnd;

    Keyframes(long[] starts, long[] ends, long[] times, boolean[] withTables, boolean video, long presentationStart,
              long presentationEnd, long tablesStart, long tablesEnd) {
        if (starts.length != ends.length || starts.length != times.length) {
            throw new IllegalArgumentException("keyframe arrays differ in length");
        }
        this.starts = starts;
        this.ends = ends;
        this.times = times;
        this.video = video;
        this.presentationStart = presentationStart;
        this.presentationEnd = presentationEnd;
        this.withTables = withTables;
        this.tablesStart = tablesStart;
        this.tablesEnd = tablesEnd;
    }

    /** True when {@link #start}(i) is a PAT/PMT before the key frame (a range from there decodes alone). */
    public boolean startsWithTables(int i) {
        return withTables[i];
    }

    /** Offset of the first PAT followed by a PMT naming the streams, or -1: with {@link #tablesEnd}, an EXT-X-MAP. */
    public long tablesStart() {
        return tablesStart;
    }

    /** End (exclusive) of the first PMT packet after {@link #tablesStart}, or -1. */
    public long tablesEnd() {
        return tablesEnd;
    }

    public int count() {
        return starts.length;
    }

    public long start(int i) {
        return starts[i];
    }

    public long end(int i) {
        return ends[i];
    }

    public long time(int i) {
        return times[i];
    }

    /** True when these are key frames of a video stream (an I-frame playlist makes sense). */
    public boolean video() {
        return video;
    }

    /** Presentation time (27 MHz ticks) of the earliest frame of any stream. */
    public long presentationStart() {
        return presentationStart;
    }

    /** Presentation time (27 MHz ticks) at which the last frame of every stream has ended. */
    public long presentationEnd() {
        return presentationEnd;
    }

    @Override
    public String toString() {
        return "Keyframes[" + starts.length + (video ? " video" : " audio") + ", first at "
                + Arrays.toString(Arrays.copyOf(starts, Math.min(3, starts.length))) + "]";
    }
}
