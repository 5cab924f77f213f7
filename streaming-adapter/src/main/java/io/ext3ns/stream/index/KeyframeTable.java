package io.ext3ns.stream.index;

import java.util.Arrays;

/**
 * The random-access pictures of a transport stream, as trick play needs them (what live555 keeps in its .tsx
 * index): for each key frame of the video PID, the byte range of its access unit in the file (from the TS packet
 * that starts its PES, flagged random-access, up to the next PES start on that PID) and its presentation time.
 * Also the PAT and PMT packets a decoder needs before the first picture, and the PIDs. Times are 90 kHz PTS
 * ticks on an unwrapped, never decreasing time line ({@link #time}); {@link #rawPts} is the PTS as written in the
 * file. Immutable. An empty table (no video stream, no flagged key frame) means trick play is not available.
 * Built by the seek index's scan ({@link PcrIndex#videoKeyframes}, collected by {@code VideoKeyframeRecorder}).
 */
public final class KeyframeTable {
    /** 90 kHz PTS clock of ISO 13818-1. */
    public static final long PTS_HZ = 90_000L;
    /** Access units larger than this are left out (a damaged or absurd stream; trick play skips them). */
    public static final long MAX_ACCESS_UNIT_BYTES = 16L << 20;

    private final long[] offsets;
    private final long[] ends;
    private final long[] times;
    private final long[] rawPts;
    private final int[] pcrLead; // PTS minus the last PCR before it, 90 kHz ticks (the decoder's buffering)
    private final byte[] pat;
    private final byte[] pmt;
    private final int pmtPid;
    private final int videoPid;
    private final int pcrPid;

    KeyframeTable(long[] offsets, long[] ends, long[] times, long[] rawPts, int[] pcrLead, byte[] pat, byte[] pmt,
                  int pmtPid, int videoPid, int pcrPid) {
        int n = offsets.length;
        if (ends.length != n || times.length != n || rawPts.length != n || pcrLead.length != n) {
            throw new IllegalArgumentException("key frame columns differ in length");
        }
        if (n > 0 && (pat == null || pat.length != 188 || pmt == null || pmt.length != 188)) {
            throw new IllegalArgumentException("key frames without a PAT and PMT packet");
        }
        this.offsets = offsets;
        this.ends = ends;
        this.times = times;
        this.rawPts = rawPts;
        this.pcrLead = pcrLead;
        this.pat = pat;
        this.pmt = pmt;
        this.pmtPid = pmtPid;
        this.videoPid = videoPid;
        this.pcrPid = pcrPid;
    }

    /** A table without key frames (trick play unavailable). */
    static KeyframeTable empty() {
        return new KeyframeTable(new long[0], new long[0], new long[0], new long[0], new int[0], null, null, -1, -1,
                -1);
    }

    public int size() {
        return offsets.length;
    }

    /** File offset of key frame {@code i}'s first TS packet (the PES start flagged random-access). */
    public long offset(int i) {
        return offsets[i];
    }

    /** End (exclusive) of key frame {@code i}'s access unit: the next PES start on the video PID, or end of file. */
    public long end(int i) {
        return ends[i];
    }

    /** Presentation time of key frame {@code i}, 90 kHz, unwrapped and never decreasing over the table. */
    public long time(int i) {
        return times[i];
    }

    /** The PTS of key frame {@code i} as written in the file (33 bits). */
    public long rawPts(int i) {
        return rawPts[i];
    }

    /** How far (90 kHz ticks) key frame {@code i}'s PTS lies after the last PCR before it, 0..1 s. */
    public int pcrLead(int i) {
        return pcrLead[i];
    }

    /** A copy of the first PAT packet of the file (188 bytes). */
    public byte[] patPacket() {
        return pat.clone();
    }

    /**
     * The first PMT, rewritten to list the video stream only, version number plus one (188 bytes; a PMT that does
     * not fit one packet gives no table).
     */
    public byte[] pmtPacket() {
        return pmt.clone();
    }

    public int pmtPid() {
        return pmtPid;
    }

    public int videoPid() {
        return videoPid;
    }

    /** The PMT's PCR_PID (0x1FFF if the program has none). */
    public int pcrPid() {
        return pcrPid;
    }

    /** Index of the last key frame starting at or before {@code offset}; -1 if none. */
    public int atOrBefore(long offset) {
        int i = Arrays.binarySearch(offsets, offset);
        return i >= 0 ? i : -i - 2;
    }

    /** Index of the first key frame starting at or after {@code offset}; {@link #size()} if none. */
    public int atOrAfter(long offset) {
        int i = Arrays.binarySearch(offsets, offset);
        return i >= 0 ? i : -i - 1;
    }
}
