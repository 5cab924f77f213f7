package io.ext3ns.stream.index;

import java.util.Arrays;

/**
 * Where each PCR of an MPEG transport stream sits in the file, and which of them start a random-access point (a
 * key frame on the PCR PID). Answers the two questions the server asks: "at what media time is byte N" (pacing,
 * RTP timestamps) and "from which byte do I start to play from second S" (seek). Times are 27 MHz ticks counted
 * from the file's first PCR; wrap-around and backward jumps were already unwrapped by the builder, so times never
 * decrease. Immutable.
 */
public final class PcrIndex {
    /** 27 MHz system clock of ISO 13818-1. */
    public static final long PCR_HZ = 27_000_000L;

    private final long fileSize;
    private final long[] offsets;
    private final long[] times;
    private final int[] randomAccess; // indices into offsets/times, ascending
    private final long presentationEndTicks;
    private final Keyframes keyframes;
    private final KeyframeTable videoKeyframes;
    private final java.util.List<ElementaryStream> streams;
    /** Derived data kept with the index, so with the file's identity (HLS segment plans), by what it depends on. */
    private final java.util.concurrent.ConcurrentHashMap<Object, Object> derived =
            new java.util.concurrent.ConcurrentHashMap<>();

    PcrIndex(long fileSize, long[] offsets, long[] times, int[] randomAccess, long presentationEndTicks,
             Keyframes keyframes, KeyframeTable videoKeyframes, java.util.List<ElementaryStream> streams) {
        if (offsets.length == 0 || offsets.length != times.length) {
            throw new IllegalArgumentException("an index needs at least one PCR");
        }
        this.fileSize = fileSize;
        this.offsets = offsets;
        this.times = times;
        this.randomAccess = randomAccess;
        this.presentationEndTicks = presentationEndTicks;
        this.keyframes = keyframes;
        this.videoKeyframes = videoKeyframes;
        this.streams = streams;
    }

    /** The random-access points of the primary stream, with presentation times (for HLS). */
    public Keyframes keyframes() {
        return keyframes;
    }

    /**
     * The video stream's random-access pictures with their access units, PTS and PCR lead, and the PAT and a
     * video-only PMT (for RTSP trick play; empty when there is no video or no flagged key frame).
     */
    public KeyframeTable videoKeyframes() {
        return videoKeyframes;
    }

    /** The program's elementary streams as its PMT lists them (empty if no PMT was found). */
    public java.util.List<ElementaryStream> streams() {
        return streams;
    }

    /**
     * A value computed once from this index and {@code key} (which says what else it depends on) and kept as long
     * as the index is: the index is cached by the file's identity, so the value is too.
     */
    @SuppressWarnings("unchecked")
    public <T> T derived(Object key, java.util.function.Function<PcrIndex, T> compute) {
        return (T) derived.computeIfAbsent(key, k -> compute.apply(this));
    }

    /**
     * Where the title ends for a player (SDP a=range, PLAY's Range end): at least the time of the last byte, the
     * RTP time of the last packet, and the end of the last frame of every stream (its PTS plus one frame). A player
     * such as GStreamer drops what is stamped past the advertised end.
     */
    public double endSeconds() {
        return Math.max(durationTicks(), presentationEndTicks) / (double) PCR_HZ;
    }

    public long fileSize() {
        return fileSize;
    }

    public int pcrCount() {
        return offsets.length;
    }

    public int randomAccessCount() {
        return randomAccess.length;
    }

    /** Media time of the end of the file, extrapolated at the average rate past the last PCR. */
    public long durationTicks() {
        return timeAt(fileSize);
    }

    public double durationSeconds() {
        return durationTicks() / (double) PCR_HZ;
    }

    /**
     * Media time of the byte at {@code offset}: linear between the PCRs around it, the first PCR's time before it,
     * and the average rate of the whole file after the last one.
     */
    public long timeAt(long offset) {
        int i = Arrays.binarySearch(offsets, offset);
        if (i >= 0) {
            return times[i];
        }
        int after = -i - 1;
        if (after == 0) {
            return 0;
        }
        int before = after - 1;
        if (after < offsets.length) {
            return interpolate(offsets[before], times[before], offsets[after], times[after], offset);
        }
        if (offsets.length == 1) {
            return times[0];
        }
        return interpolate(offsets[0], times[0], offsets[before], times[before], offset);
    }

    private static long interpolate(long o0, long t0, long o1, long t1, long offset) {
        if (o1 == o0) {
            return t0;
        }
        return t0 + (long) ((double) (t1 - t0) * (offset - o0) / (o1 - o0));
    }

    /**
     * Where to stop to play up to {@code seconds}: the first PCR after that time (the payloads before it carry the
     * media up to it), or the end of the file.
     */
    public long offsetAfter(double seconds) {
        long target = (long) (seconds * PCR_HZ);
        int i = Arrays.binarySearch(times, target);
        int after = i >= 0 ? i + 1 : -i - 1;
        while (after < times.length && times[after] <= target) {
            after++; // equal times after a discontinuity
        }
        return after < offsets.length ? offsets[after] : fileSize;
    }

    /**
     * The byte offset to start from to play at {@code seconds}: the last random-access point at or before that time
     * (so the decoder gets a key frame), or the last PCR before it if the stream marks no random-access points.
     * Seconds past the end give the end of the file; negative seconds the start.
     */
    public long seekOffset(double seconds) {
        if (seconds <= 0) {
            return 0;
        }
        long target = (long) (seconds * PCR_HZ);
        if (target >= durationTicks()) {
            return fileSize;
        }
        if (randomAccess.length > 0) {
            int lo = 0;
            int hi = randomAccess.length - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                if (times[randomAccess[mid]] <= target) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return found < 0 ? 0 : offsets[randomAccess[found]];
        }
        int i = Arrays.binarySearch(times, target);
        int at = i >= 0 ? i : Math.max(0, -i - 2);
        return offsets[at];
    }
}
