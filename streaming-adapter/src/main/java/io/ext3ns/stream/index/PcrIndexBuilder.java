package io.ext3ns.stream.index;

import java.nio.ByteBuffer;

/**
 * Builds a {@link PcrIndex} from the bytes of a transport stream fed in file order, in pieces of any size (a piece
 * may end inside a TS packet). Follows the PID of the first PCR only, as players do; a PCR jumping backwards or by
 * more than {@link #MAX_PCR_STEP_TICKS} (a discontinuity or a wrap) is re-anchored so media time keeps increasing
 * at the average step. Every packet is checked for the 0x47 sync byte: a file that loses sync is refused.
 */
public final class PcrIndexBuilder {
    public static final int TS_PACKET = 188;
    private static final int SYNC = 0x47;
    /** ISO 13818-1 requires a PCR at least every 100 ms; a gap over 1 s means a discontinuity. */
    static final long MAX_PCR_STEP_TICKS = PcrIndex.PCR_HZ;
    private static final long PCR_WRAP = (1L << 33) * 300;
    /** Entries kept per indexed PCR: 16 bytes; a 4 GB file at 50 PCR/s for 1 h holds 180 000. */
    private static final int MAX_ENTRIES = 50_000_000;

    private final byte[] carry = new byte[TS_PACKET];
    private int carried;
    private long offset; // file offset of the next packet's first byte
    private int pcrPid = -1;
    private long firstRaw = Long.MIN_VALUE;
    private long lastRaw;
    private long lastTime;
    private long stepSum;
    private int steps;
    private long[] offsets = new long[1024];
    private long[] times = new long[1024];
    private int count;
    private int[] randomAccess = new int[64];
    private int raCount;
    /** The pacing clock the sessions run (so the end covers the RTP timestamps of the last packets). */
    private final io.ext3ns.stream.ts.PcrClock clock = new io.ext3ns.stream.ts.PcrClock();
    /** Per PID: last PTS's media time and the step to it (a frame's duration), for the end of presentation. */
    private final java.util.Map<Integer, long[]> lastPts = new java.util.HashMap<>();
    private static final int MAX_PTS_PIDS = 64;
    private final ProgramTables tables = new ProgramTables();
    private final KeyframeRecorder keyframes = new KeyframeRecorder();
    /** Trick play's key frames (the video stream's flagged pictures), from the same scan. */
    private final VideoKeyframeRecorder videoKeyframes = new VideoKeyframeRecorder();
    /** Codec strings found so far, by PID. */
    private final java.util.Map<Integer, String> codecs = new java.util.HashMap<>();
    private int fallbackVideoPid = -1;
    /** The stream key frames are recorded on (see primaryPid), its stream_type (-1 unknown), and if it is video. */
    private int primary = -1;
    private int primaryType = -1;
    private boolean primaryVideo;

    /** Consumes {@code data} (position to limit); the buffer's position is advanced to its limit. */
    public void feed(ByteBuffer data) throws InvalidTransportStreamException {
        if (carried > 0) {
            int take = Math.min(TS_PACKET - carried, data.remaining());
            data.get(carry, carried, take);
            carried += take;
            if (carried < TS_PACKET) {
                return;
            }
            packet(ByteBuffer.wrap(carry), 0);
            carried = 0;
        }
        while (data.remaining() >= TS_PACKET) {
            packet(data, data.position());
            data.position(data.position() + TS_PACKET);
        }
        carried = data.remaining();
        data.get(carry, 0, carried);
    }

    private void packet(ByteBuffer buf, int at) throws InvalidTransportStreamException {
        if ((buf.get(at) & 0xff) != SYNC) {
            throw new InvalidTransportStreamException("lost MPEG-TS sync at byte " + offset
                    + " (expected 0x47 every 188 bytes)");
        }
        int pid = ((buf.get(at + 1) & 0x1f) << 8) | (buf.get(at + 2) & 0xff);
        int afc = (buf.get(at + 3) >> 4) & 0x3;
        boolean hasAdaptation = (afc & 0x2) != 0;
        int afLength = hasAdaptation ? buf.get(at + 4) & 0xff : 0;
        if (hasAdaptation && afLength >= 7 && afLength <= 183) {
            int flags = buf.get(at + 5) & 0xff;
            if ((flags & 0x10) != 0) {
                if (pcrPid < 0 || pid == pcrPid) {
                    pcrPid = pid;
                    addPcr(readPcr(buf, at + 6), (flags & 0x40) != 0);
                }
                if (pid == videoKeyframes.pcrPid()) {
                    videoKeyframes.pcr(buf, at + 6);
                }
            }
        }
        clock.next(pid, io.ext3ns.stream.ts.TsPacket.pcr(buf, at));
        boolean unitStart = (buf.get(at + 1) & 0x40) != 0;
        if (unitStart || pid == primary) { // the rest (null packets, other streams' continuations) tell nothing more
            payloadStart(buf, at, pid, afc, unitStart);
        }
        offset += TS_PACKET;
    }

    /**
     * A packet that starts a PES or section, or one of the primary stream: the PAT/PMT, PTS, codecs and key frames
     * (kept out of {@link #packet} so that stays small enough for the JIT to inline in the scan loop).
     */
    private void payloadStart(ByteBuffer buf, int at, int pid, int afc, boolean unitStart)
            throws InvalidTransportStreamException {
        boolean hasAdaptation = (afc & 0x2) != 0;
        int afLength = hasAdaptation ? buf.get(at + 4) & 0xff : 0;
        boolean randomAccess = hasAdaptation && afLength >= 1 && afLength <= 183 && (buf.get(at + 5) & 0x40) != 0;
        int payload = at + 4 + (hasAdaptation ? 1 + afLength : 0);
        int end = at + TS_PACKET;
        boolean hasPayload = (afc & 0x1) != 0 && payload < end;
        if (unitStart && hasPayload) {
            videoKeyframes.unitStart(buf, at, payload, pid, hasAdaptation && afLength > 0 ? buf.get(at + 5) & 0xff : 0,
                    offset);
        }
        if (unitStart && hasPayload && tables.isTable(pid)) {
            boolean hadStreams = !tables.streamTypes().isEmpty();
            tables.section(buf, payload, end, pid);
            keyframes.table(offset, pid == 0, !hadStreams && !tables.streamTypes().isEmpty());
            choosePrimary();
        }
        long time = Long.MIN_VALUE;
        int esStart = -1; // first byte of the elementary stream after a PES header in this packet
        if (unitStart && hasPayload && payload + 9 <= end && buf.get(payload) == 0 && buf.get(payload + 1) == 0
                && buf.get(payload + 2) == 1) {
            esStart = payload + 9 + (buf.get(payload + 8) & 0xff);
            int streamId = buf.get(payload + 3) & 0xff;
            if (fallbackVideoPid < 0 && streamId >= 0xe0 && streamId <= 0xef) {
                fallbackVideoPid = pid;
                choosePrimary();
            }
            if (payload + 14 <= end && firstRaw != Long.MIN_VALUE) {
                time = pes(buf, payload, pid);
            }
        }
        if (esStart >= 0 && esStart < end) {
            Integer type = tables.streamTypes().get(pid);
            if (type != null && !codecs.containsKey(pid)) {
                String codec = StreamCodecs.codec(type, buf, esStart, end);
                if (codec != null) {
                    codecs.put(pid, codec);
                }
            }
        }
        if (pid == primary && hasPayload) { // adaptation-only packets (PCR carriers, stuffing) start nothing
            boolean key = false;
            if (esStart >= 0) {
                key = !primaryVideo || randomAccess || (primaryType >= 0 && esStart < end
                        && StreamCodecs.startsKeyFrame(primaryType, buf, esStart, end));
            }
            keyframes.packet(offset, unitStart, key, time);
        }
    }

    /** Re-reads which stream is primary after the tables or the fallback changed (not per packet: it is hot). */
    private void choosePrimary() {
        primary = primaryPid();
        Integer type = tables.streamTypes().get(primary);
        primaryType = type == null ? -1 : type;
        primaryVideo = type == null ? primary >= 0 && primary == fallbackVideoPid : StreamCodecs.isVideo(type);
    }

    /** The stream HLS segments are cut on: the PMT's first video stream, else its first audio stream. */
    private int primaryPid() {
        int audio = -1;
        for (var e : tables.streamTypes().entrySet()) {
            if (StreamCodecs.isVideo(e.getValue())) {
                return e.getKey();
            }
            if (audio < 0 && StreamCodecs.isAudio(e.getValue())) {
                audio = e.getKey();
            }
        }
        return audio >= 0 ? audio : fallbackVideoPid; // no PMT read: the first PES with a video stream_id
    }

    /**
     * A PES header starting at {@code p}: its PTS, placed on the media time line of the last PCR, or
     * Long.MIN_VALUE if it has none (or one too far from the PCR to trust).
     */
    private long pes(ByteBuffer buf, int p, int pid) {
        if ((buf.get(p + 7) & 0x80) == 0 || (buf.get(p + 9) & 0x21) != 0x21) {
            return Long.MIN_VALUE; // no PTS (marker bits checked)
        }
        long pts = ((long) (buf.get(p + 9) & 0x0e) << 29) | ((buf.get(p + 10) & 0xff) << 22)
                | ((buf.get(p + 11) & 0xfe) << 14) | ((buf.get(p + 12) & 0xff) << 7) | ((buf.get(p + 13) & 0xfe) >> 1);
        long fromPcr = Math.floorMod(pts * 300 - lastRaw, PCR_WRAP);
        if (fromPcr > PCR_WRAP / 2) {
            fromPcr -= PCR_WRAP; // presented before the last PCR (B-frames, or a late stream)
        }
        if (Math.abs(fromPcr) > 10 * PcrIndex.PCR_HZ) {
            return Long.MIN_VALUE; // not near this PCR: a damaged or discontinuous PTS says nothing about the end
        }
        long time = lastTime + fromPcr;
        long[] last = lastPts.get(pid);
        if (last == null) {
            if (lastPts.size() == MAX_PTS_PIDS) {
                return time;
            }
            lastPts.put(pid, new long[]{time, 0, time, time, Long.MAX_VALUE});
        } else {
            if (time > last[0]) {
                last[1] = Math.min(time - last[0], PcrIndex.PCR_HZ); // one frame (or PES) of this stream
                last[0] = time;
            }
            last[2] = Math.min(last[2], time);
            long step = Math.abs(time - last[3]); // in decode order: the smallest step is one frame (or PES)
            if (step > 0 && step < last[4]) {
                last[4] = step;
            }
            last[3] = time;
        }
        return time;
    }

    private static long readPcr(ByteBuffer buf, int at) {
        long base = ((long) (buf.get(at) & 0xff) << 25) | ((buf.get(at + 1) & 0xff) << 17)
                | ((buf.get(at + 2) & 0xff) << 9) | ((buf.get(at + 3) & 0xff) << 1) | ((buf.get(at + 4) & 0x80) >> 7);
        int ext = ((buf.get(at + 4) & 0x01) << 8) | (buf.get(at + 5) & 0xff);
        return base * 300 + ext;
    }

    private void addPcr(long raw, boolean randomAccessPoint) throws InvalidTransportStreamException {
        long time;
        if (firstRaw == Long.MIN_VALUE) {
            firstRaw = raw;
            time = 0;
        } else {
            long step = Math.floorMod(raw - lastRaw, PCR_WRAP);
            if (step == 0 || step > MAX_PCR_STEP_TICKS) {
                step = steps == 0 ? 0 : stepSum / steps; // discontinuity: keep the average pace
            } else {
                stepSum += step;
                steps++;
            }
            time = lastTime + step;
        }
        lastRaw = raw;
        lastTime = time;
        if (count == MAX_ENTRIES) {
            throw new InvalidTransportStreamException("more than " + MAX_ENTRIES + " PCRs: refusing to index");
        }
        if (count == offsets.length) {
            offsets = java.util.Arrays.copyOf(offsets, count * 2);
            times = java.util.Arrays.copyOf(times, count * 2);
        }
        offsets[count] = offset;
        times[count] = time;
        if (randomAccessPoint) {
            if (raCount == randomAccess.length) {
                randomAccess = java.util.Arrays.copyOf(randomAccess, raCount * 2);
            }
            randomAccess[raCount++] = count;
        }
        count++;
    }

    /** The index of everything fed; {@code fileSize} is the total length fed. */
    public PcrIndex build() throws InvalidTransportStreamException {
        if (count == 0) {
            throw new InvalidTransportStreamException("no PCR in " + offset + " bytes: not a paceable MPEG-TS file");
        }
        long end = clock.lastTime(); // media time of the last packet, as a session's clock will stamp it
        long latestEnd = end; // for RTSP: no frame of any stream is stamped past it
        long presentationStart = Long.MAX_VALUE;
        long presentationEnd = Long.MIN_VALUE; // for HLS durations: as exact as PES headers tell
        for (var e : lastPts.entrySet()) {
            long[] last = e.getValue();
            latestEnd = Math.max(latestEnd, last[0] + last[1]); // the last frame of each stream is shown until then
            presentationStart = Math.min(presentationStart, last[2]);
            // the primary stream's last frame lasts its smallest PTS step (one video frame, or one audio PES);
            // of the others only the last start is certain (an audio PES may hold fewer frames than the others)
            long frame = e.getKey() == primary && last[4] != Long.MAX_VALUE ? Math.min(last[4], PcrIndex.PCR_HZ) : 0;
            presentationEnd = Math.max(presentationEnd, last[0] + frame);
        }
        if (presentationEnd == Long.MIN_VALUE) { // no PTS at all: the PCRs are the only clock
            presentationStart = 0;
            presentationEnd = end;
        }
        java.util.List<ElementaryStream> streams = new java.util.ArrayList<>();
        for (var e : tables.streamTypes().entrySet()) {
            int type = e.getValue();
            streams.add(new ElementaryStream(e.getKey(), type, StreamCodecs.name(type), codecs.get(e.getKey()),
                    StreamCodecs.isVideo(type)));
        }
        // a partial packet at the end is not played (RFC 2250 carries whole packets): the index ends before it
        return new PcrIndex(offset, java.util.Arrays.copyOf(offsets, count), java.util.Arrays.copyOf(times, count),
                java.util.Arrays.copyOf(randomAccess, raCount), latestEnd,
                keyframes.build(primaryVideo, presentationStart, presentationEnd), videoKeyframes.build(offset),
                java.util.List.copyOf(streams));
    }
}
