package io.ext3ns.stream.index;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects the {@link KeyframeTable} trick play needs while {@link PcrIndexBuilder} walks the packets (the same
 * single scan as the seek index): reads the first PAT and its program's PMT (each must fit one packet), takes the
 * PMT's first video stream, and records every PES start on that PID whose packet carries the random-access
 * indicator, with its PTS, up to the next PES start on the PID. Keeps the PAT as it is and the PMT rewritten to
 * list the video stream only (what trick play sends). Told only of packets that start a unit (and of the PCRs on
 * the PMT's PCR_PID), so it adds nothing to the scan's per-packet path. Unlike {@link Keyframes} (HLS: the primary
 * stream, video or audio, key frames found from the codec too, times on the PCR time line) these are the video
 * stream's flagged random-access pictures on an unwrapped PTS time line, as trick play rewrites them.
 */
final class VideoKeyframeRecorder {
    private static final int TS = 188;
    private static final long PTS_WRAP = 1L << 33;
    /** A PTS step larger than this between two key frames (or backwards) is a discontinuity, not a long GOP. */
    private static final long MAX_KEYFRAME_STEP = 60 * KeyframeTable.PTS_HZ;
    /** PCR-to-PTS lead assumed when the file gives none we can trust (0..1 s): half a second. */
    static final int DEFAULT_PCR_LEAD = (int) (KeyframeTable.PTS_HZ / 2);
    /**
     * At most this many key frames (one a second is 86 400 a day); past it the title has no trick play (its seek
     * index, and so normal play and HLS, must not fail for it).
     */
    static final int MAX_KEYFRAMES = 10_000_000;

    private byte[] pat;
    private byte[] pmt;
    private int pmtPid = -1;
    private int videoPid = -1;
    private int pcrPid = -1;
    private long lastPcrBase = -1;

    private long openAt = -1; // the key frame whose access unit is being read, or -1
    private long openPts;
    private int openLead;
    private long lastRaw = -1;
    private long lastTime;
    private long stepSum;
    private int steps;

    private long[] offsets = new long[256];
    private long[] ends = new long[256];
    private long[] times = new long[256];
    private long[] raws = new long[256];
    private int[] leads = new int[256];
    private int count;
    private boolean tooMany;

    /** The PMT's PCR_PID once the PMT is read (-1 before): the builder reports that PID's PCRs. */
    int pcrPid() {
        return pcrPid;
    }

    /** A PCR on {@link #pcrPid} (its six bytes at {@code p}), read before the packet's payload is looked at. */
    void pcr(ByteBuffer b, int p) {
        lastPcrBase = ((long) (b.get(p) & 0xff) << 25) | ((b.get(p + 1) & 0xff) << 17)
                | ((b.get(p + 2) & 0xff) << 9) | ((b.get(p + 3) & 0xff) << 1) | ((b.get(p + 4) & 0x80) >> 7);
    }

    /**
     * A packet at file offset {@code offset} that starts a PES or section and has a payload (from {@code payload});
     * {@code flags} is its adaptation field's flag byte (0 if none). Only PID 0, the PMT PID and the video PID are
     * looked at: three compares for the rest.
     */
    void unitStart(ByteBuffer b, int at, int payload, int pid, int flags, long offset) {
        if (pid == 0 && pat == null) {
            pat(b, at, payload);
        } else if (pid == pmtPid && pmt == null) {
            pmt(b, at, payload);
        } else if (pid == videoPid) {
            closeOpen(offset);
            if ((flags & 0x40) != 0) {
                open(b, at, payload, offset);
            }
        }
    }

    /** Start of the section a PSI packet carries (after its pointer field), or -1 if it does not fit. */
    private static int section(ByteBuffer b, int at, int payload) {
        int s = payload + 1 + (b.get(payload) & 0xff);
        if (s + 3 > at + TS) {
            return -1;
        }
        int length = ((b.get(s + 1) & 0x0f) << 8) | (b.get(s + 2) & 0xff);
        return s + 3 + length <= at + TS ? s : -1;
    }

    private void pat(ByteBuffer b, int at, int payload) {
        int s = section(b, at, payload);
        if (s < 0 || (b.get(s) & 0xff) != 0x00) {
            return;
        }
        int end = s + 3 + (((b.get(s + 1) & 0x0f) << 8) | (b.get(s + 2) & 0xff)) - 4; // before the CRC
        for (int p = s + 8; p + 4 <= end; p += 4) {
            int program = ((b.get(p) & 0xff) << 8) | (b.get(p + 1) & 0xff);
            if (program != 0) { // 0 names the network PID
                pmtPid = ((b.get(p + 2) & 0x1f) << 8) | (b.get(p + 3) & 0xff);
                pat = copy(b, at);
                return;
            }
        }
    }

    private void pmt(ByteBuffer b, int at, int payload) {
        int s = section(b, at, payload);
        if (s < 0 || (b.get(s) & 0xff) != 0x02 || s + 12 > at + TS) {
            return;
        }
        int end = s + 3 + (((b.get(s + 1) & 0x0f) << 8) | (b.get(s + 2) & 0xff)) - 4;
        int pcr = ((b.get(s + 8) & 0x1f) << 8) | (b.get(s + 9) & 0xff);
        int p = s + 12 + (((b.get(s + 10) & 0x0f) << 8) | (b.get(s + 11) & 0xff));
        while (p + 5 <= end) {
            int type = b.get(p) & 0xff;
            int pid = ((b.get(p + 1) & 0x1f) << 8) | (b.get(p + 2) & 0xff);
            int esInfo = ((b.get(p + 3) & 0x0f) << 8) | (b.get(p + 4) & 0xff);
            if (isVideo(type) && p + 5 + esInfo <= end) {
                videoPid = pid;
                pcrPid = pcr;
                pmt = videoOnlyPmt(b, at, s, p, 5 + esInfo);
                return;
            }
            p += 5 + (((b.get(p + 3) & 0x0f) << 8) | (b.get(p + 4) & 0xff));
        }
        pmt = new byte[0]; // a program without video: no key frames (and the PMT is not looked at again)
    }

    /**
     * The PMT packet at {@code at} rewritten to list only the video stream (its entry at {@code entry}, {@code
     * entryLength} bytes): trick play sends no other stream, and a player told of an audio stream that never comes
     * waits for it (ffmpeg: "could not find codec parameters"). The version number moves on, so a player that has
     * the file's PMT takes this one, and the file's own again when normal play resumes.
     */
    private static byte[] videoOnlyPmt(ByteBuffer b, int at, int s, int entry, int entryLength) {
        byte[] packet = new byte[TS];
        int programInfo = ((b.get(s + 10) & 0x0f) << 8) | (b.get(s + 11) & 0xff);
        packet[0] = 0x47;
        packet[1] = (byte) (0x40 | (b.get(at + 1) & 0x1f)); // payload unit start, the PMT PID
        packet[2] = b.get(at + 2);
        packet[3] = 0x10; // payload only; the continuity counter is set when sent
        packet[4] = 0; // pointer field
        int out = 5;
        int head = 12 + programInfo; // table id .. program info descriptors
        b.get(s, packet, out, head);
        b.get(entry, packet, out + head, entryLength);
        int sectionLength = head - 3 + entryLength + 4;
        packet[out + 1] = (byte) ((packet[out + 1] & 0xf0) | (sectionLength >> 8));
        packet[out + 2] = (byte) sectionLength;
        packet[out + 5] = (byte) ((packet[out + 5] & 0xc1) | ((((packet[out + 5] >> 1) + 1) & 0x1f) << 1));
        int crcAt = out + head + entryLength;
        int crc = io.ext3ns.stream.ts.TsPatch.psiCrc32(packet, out, crcAt - out);
        packet[crcAt] = (byte) (crc >>> 24);
        packet[crcAt + 1] = (byte) (crc >>> 16);
        packet[crcAt + 2] = (byte) (crc >>> 8);
        packet[crcAt + 3] = (byte) crc;
        java.util.Arrays.fill(packet, crcAt + 4, TS, (byte) 0xff);
        return packet;
    }

    /** MPEG-1/2 video, MPEG-4 part 2, H.264, HEVC. */
    private static boolean isVideo(int streamType) {
        return streamType == 0x01 || streamType == 0x02 || streamType == 0x10 || streamType == 0x1b
                || streamType == 0x24;
    }

    private static byte[] copy(ByteBuffer b, int at) {
        byte[] packet = new byte[TS];
        b.get(at, packet);
        return packet;
    }

    /** A PES start flagged random-access: a key frame, if its header has a PTS. */
    private void open(ByteBuffer b, int at, int p, long offset) {
        if (p + 14 > at + TS || b.get(p) != 0 || b.get(p + 1) != 0 || b.get(p + 2) != 1
                || (b.get(p + 7) & 0x80) == 0 || (b.get(p + 9) & 0x21) != 0x21) {
            return;
        }
        long pts = ((long) (b.get(p + 9) & 0x0e) << 29) | ((b.get(p + 10) & 0xff) << 22)
                | ((b.get(p + 11) & 0xfe) << 14) | ((b.get(p + 12) & 0xff) << 7) | ((b.get(p + 13) & 0xfe) >> 1);
        long lead = lastPcrBase < 0 ? -1 : Math.floorMod(pts - lastPcrBase, PTS_WRAP);
        openAt = offset;
        openPts = pts;
        openLead = lead >= 0 && lead <= KeyframeTable.PTS_HZ ? (int) lead : DEFAULT_PCR_LEAD;
    }

    private void closeOpen(long end) {
        if (openAt < 0) {
            return;
        }
        long start = openAt;
        openAt = -1;
        if (end - start > KeyframeTable.MAX_ACCESS_UNIT_BYTES) {
            return;
        }
        long time;
        if (lastRaw < 0) {
            time = openPts;
        } else {
            long step = Math.floorMod(openPts - lastRaw, PTS_WRAP);
            if (step > MAX_KEYFRAME_STEP) {
                step = steps == 0 ? KeyframeTable.PTS_HZ : stepSum / steps; // discontinuity: the usual GOP
            } else {
                stepSum += step;
                steps++;
            }
            time = lastTime + step;
        }
        lastRaw = openPts;
        lastTime = time;
        if (count == MAX_KEYFRAMES) {
            tooMany = true;
            return;
        }
        if (count == offsets.length) {
            int n = count * 2;
            offsets = Arrays.copyOf(offsets, n);
            ends = Arrays.copyOf(ends, n);
            times = Arrays.copyOf(times, n);
            raws = Arrays.copyOf(raws, n);
            leads = Arrays.copyOf(leads, n);
        }
        offsets[count] = start;
        ends[count] = end;
        times[count] = time;
        raws[count] = openPts;
        leads[count] = openLead;
        count++;
    }

    /** The table of every packet seen; {@code end} is where the last whole packet ends. */
    KeyframeTable build(long end) {
        closeOpen(end);
        if (count == 0 || tooMany || pat == null || pmt == null || pmt.length != TS) {
            return KeyframeTable.empty();
        }
        return new KeyframeTable(Arrays.copyOf(offsets, count), Arrays.copyOf(ends, count),
                Arrays.copyOf(times, count), Arrays.copyOf(raws, count), Arrays.copyOf(leads, count), pat, pmt,
                pmtPid, videoPid, pcrPid);
    }
}
