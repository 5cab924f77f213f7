package io.ext3ns.stream.index;

import java.util.Arrays;

/**
 * Collects {@link Keyframes} while the index builder walks the packets: told of every packet of the primary
 * stream and of every PSI table packet, it remembers each key frame's start (the earliest table packet since the
 * stream's previous packet, or the key frame's own packet), the end of its last packet, and its time. A key frame
 * whose time does not move forward (a damaged or repeated PTS) is not a place to cut and is skipped.
 */
final class KeyframeRecorder {
    private static final int MAX_KEYFRAMES = 10_000_000;
    private long[] starts = new long[256];
    private long[] ends = new long[256];
    private long[] times = new long[256];
    private int count;
    private boolean open; // the last key frame's PES is still going
    private long lastPacketEnd;
    private long tablesSince = -1; // first PSI packet since the primary stream's last packet
    private boolean[] withTables = new boolean[256];
    private long lastPat = -1;
    private long firstPat = -1; // the first PAT and the end of the first PMT read after it: an EXT-X-MAP
    private long firstPmtEnd = -1;

    /**
     * A PAT or PMT packet at {@code offset}; {@code pat} for the PAT, {@code firstPmt} when it is the first PMT
     * that named the program's streams.
     */
    void table(long offset, boolean pat, boolean firstPmt) {
        if (tablesSince < 0) {
            tablesSince = offset;
        }
        if (pat) {
            lastPat = offset;
        }
        if (firstPmt && lastPat >= 0 && firstPat < 0) {
            firstPat = lastPat;
            firstPmtEnd = offset + PcrIndexBuilder.TS_PACKET;
        }
    }

    /**
     * A packet of the primary stream at {@code offset}; {@code keyFrame} when it starts a PES that is a random
     * access point, presented at {@code time} (Long.MIN_VALUE: unknown).
     */
    void packet(long offset, boolean unitStart, boolean keyFrame, long time) throws InvalidTransportStreamException {
        if (unitStart && open) {
            ends[count - 1] = lastPacketEnd;
            open = false;
        }
        if (unitStart && keyFrame && time != Long.MIN_VALUE && (count == 0 || time > times[count - 1])) {
            if (count == MAX_KEYFRAMES) {
                throw new InvalidTransportStreamException("more than " + MAX_KEYFRAMES + " key frames");
            }
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
                times = Arrays.copyOf(times, count * 2);
                withTables = Arrays.copyOf(withTables, count * 2);
            }
            withTables[count] = tablesSince >= 0;
            starts[count] = tablesSince >= 0 ? tablesSince : offset;
            times[count] = time;
            count++;
            open = true;
        }
        lastPacketEnd = offset + PcrIndexBuilder.TS_PACKET;
        tablesSince = -1;
    }

    Keyframes build(boolean video, long presentationStart, long presentationEnd) {
        if (open) {
            ends[count - 1] = lastPacketEnd;
        }
        return new Keyframes(Arrays.copyOf(starts, count), Arrays.copyOf(ends, count), Arrays.copyOf(times, count),
                Arrays.copyOf(withTables, count), video, presentationStart, presentationEnd, firstPat, firstPmtEnd);
    }
}
