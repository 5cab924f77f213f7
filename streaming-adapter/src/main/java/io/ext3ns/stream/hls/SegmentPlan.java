package io.ext3ns.stream.hls;

import io.ext3ns.stream.index.Keyframes;
import io.ext3ns.stream.index.PcrIndex;

import java.util.Arrays;

/**
 * Where a title's HLS media segments start and end: byte ranges of the file cut at random-access points, each
 * segment's presentation time from the PTS of the key frame it starts with (the first from the title's first
 * frame, the last to the end of its last frame), so #EXTINF values add up to the title's duration. A cut is made
 * at the key frame nearest to {@code target} after the segment's start (never at the segment's own start), so
 * segments run near the target however the encoder spaced its key frames. The first segment starts at byte 0
 * (the PAT/PMT and everything before the first key frame); the last ends at the last whole packet. Immutable.
 */
public final class SegmentPlan {
    private final long[] offsets; // n + 1 boundaries
    private final long[] ticks;   // n + 1 presentation times, 27 MHz

    private SegmentPlan(long[] offsets, long[] ticks) {
        this.offsets = offsets;
        this.ticks = ticks;
    }

    /** The plan of {@code index} for segments of about {@code targetTicks} (27 MHz). */
    public static SegmentPlan of(PcrIndex index, long targetTicks) {
        if (targetTicks <= 0) {
            throw new IllegalArgumentException("segment target must be positive: " + targetTicks);
        }
        Keyframes kf = index.keyframes();
        int n = kf.count();
        long[] offsets = new long[Math.max(2, n + 1)];
        long[] ticks = new long[offsets.length];
        offsets[0] = 0;
        ticks[0] = kf.presentationStart();
        int segments = 0;
        int startKey = 0; // the key frame the current segment starts with (the first one for segment 0)
        for (int i = 1; i < n; i++) {
            long past = kf.time(i) - ticks[segments];
            if (past < targetTicks || kf.start(i) <= offsets[segments]) {
                continue;
            }
            int cut = i;
            if (i - 1 > startKey && targetTicks - (kf.time(i - 1) - ticks[segments]) < past - targetTicks) {
                cut = i - 1; // the key frame before the target is nearer to it
            }
            segments++;
            offsets[segments] = kf.start(cut);
            ticks[segments] = kf.time(cut);
            startKey = cut;
        }
        segments++;
        offsets[segments] = index.fileSize();
        ticks[segments] = Math.max(kf.presentationEnd(), ticks[segments - 1] + 1);
        return new SegmentPlan(Arrays.copyOf(offsets, segments + 1), Arrays.copyOf(ticks, segments + 1));
    }

    public int count() {
        return offsets.length - 1;
    }

    public long offset(int segment) {
        return offsets[segment];
    }

    public long length(int segment) {
        return offsets[segment + 1] - offsets[segment];
    }

    /** Presentation duration of {@code segment} in 27 MHz ticks. */
    public long durationTicks(int segment) {
        return ticks[segment + 1] - ticks[segment];
    }

    /** Presentation time (27 MHz ticks on the index's time line) at which {@code segment} starts. */
    public long startTicks(int segment) {
        return ticks[segment];
    }

    public long totalTicks() {
        return ticks[ticks.length - 1] - ticks[0];
    }
}
