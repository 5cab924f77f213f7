package io.ext3ns.stream.feed;

import io.ext3ns.stream.index.KeyframeTable;
import io.ext3ns.fs.cache.PinnedBufferPool;
import io.ext3ns.fs.cache.PoolExhaustedException;
import io.ext3ns.fs.cache.UnitRef;
import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.ts.TsPacket;
import io.ext3ns.stream.ts.TsPatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Trick play (RTSP Scale other than 1): a transport stream of the file's key frames only, in play order (forward or
 * backward from a start key frame), each preceded by the file's PAT and PMT (and a PCR packet when its first packet
 * has none), so a decoder can start at any picture. Other PIDs (audio, data) are left out.
 *
 * <p>Time line: picture {@code k} is stamped at {@code P0 + d * (t_k - t_0)}, where {@code t} is the key frames'
 * unwrapped PTS, {@code P0} the start picture's PTS and {@code d} the direction (+1, -1): forward the file's own
 * PTS values, backward mirrored at the start, so time always increases and advances by the media distance covered
 * (Scale 4 covers 4 s of the title per second, and its stamps run 4 s per second). PTS and DTS of each picture are
 * set to that time, its PCRs to it minus the file's PCR-to-PTS lead at the start picture; continuity counters are
 * renumbered per PID so the stream has no gaps. The session paces each picture at that time divided by |Scale|.
 * At most {@link #MAX_PICTURES_PER_SECOND} pictures go out per second: with dense key frames or a high Scale some
 * are skipped, as live555 does, so the bit rate stays near a picture rate a decoder keeps up with.
 *
 * <p>Pictures are read from the source and assembled into pinned units of the pool on {@code io} (one read ahead
 * of the picture being sent); payloads never straddle units, so each is one segment, pinned by the send burst.
 * Single-threaded like every feed (the session's scheduler thread); {@link #seek} is not supported.
 */
public final class TrickPlayFeed implements TimedPayloadFeed {
    /** Upper bound on pictures per second of wall-clock time. */
    public static final int MAX_PICTURES_PER_SECOND = 8;
    private static final long POOL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final MediaSource source;
    private final KeyframeTable table;
    private final PinnedBufferPool pool;
    private final Executor io;
    private final int direction;
    private final int limit; // last key frame index to play (inclusive), in the direction of play
    private final long minStep; // 90 kHz media ticks between two pictures sent
    private final long originTime;
    private final long originPts;
    private final int lead;
    private final int payloadsPerUnit;
    private final byte[] continuity = new byte[8192]; // last counter per PID, touched by the assembling task only

    private Picture current;
    private int payloadIndex;
    private CompletableFuture<Picture> loading;
    private int loadingIndex = -1;
    private int shownIndex = -1; // the last picture sent whole
    private long lastMediaTime;
    private int peekedBytes;
    private boolean closed;
    private CompletableFuture<Void> released = CompletableFuture.completedFuture(null);
    private byte[] scratch = new byte[0];

    /**
     * @param start  index of the first key frame to send
     * @param scale  the RTSP Scale: its sign is the direction, its size bounds the picture rate
     * @param limit  the last key frame index to play, inclusive (forward: at least {@code start}; backward: at most)
     */
    public TrickPlayFeed(MediaSource source, KeyframeTable table, PinnedBufferPool pool, Executor io, int start,
                         int scale, int limit) {
        if (scale == 0 || start < 0 || start >= table.size() || limit < 0 || limit >= table.size()
                || (scale > 0 ? limit < start : limit > start)) {
            throw new IllegalArgumentException("trick play from key frame " + start + " to " + limit + " at scale "
                    + scale + " of " + table.size());
        }
        this.source = source;
        this.table = table;
        this.pool = pool;
        this.io = io;
        this.direction = Integer.signum(scale);
        this.limit = limit;
        this.minStep = Math.abs(scale) * KeyframeTable.PTS_HZ / MAX_PICTURES_PER_SECOND;
        this.originTime = table.time(start);
        this.originPts = table.rawPts(start);
        this.lead = table.pcrLead(start);
        this.payloadsPerUnit = pool.unitSize().bytes() / Payload.MAX_BYTES;
        java.util.Arrays.fill(continuity, (byte) 15); // the first packet with payload of each PID gets 0
        lastMediaTime = mediaTime(start);
        load(start);
    }

    /** Output PTS (90 kHz, unwrapped) of key frame {@code i}. */
    private long outputPts(int i) {
        return originPts + direction * (table.time(i) - originTime);
    }

    private long mediaTime(int i) {
        return (outputPts(i) - lead) * 300;
    }

    /** The key frame to send after {@code i}: at least {@link #minStep} further in media time; -1 past the limit. */
    private int after(int i) {
        int j = i + direction;
        while (j >= 0 && j < table.size() && (direction > 0 ? j <= limit : j >= limit)) {
            if (Math.abs(table.time(j) - table.time(i)) >= minStep) {
                return j;
            }
            j += direction;
        }
        return -1;
    }

    private void load(int index) {
        loadingIndex = index;
        loading = CompletableFuture.supplyAsync(() -> assemble(index), io);
    }

    @Override
    public int peek(Payload out) {
        if (closed) {
            throw new IllegalStateException("feed is closed");
        }
        if (current == null) {
            if (loading == null) {
                return END;
            }
            if (!loading.isDone()) {
                return NOT_READY;
            }
            current = loading.join(); // a failed read fails the session
            payloadIndex = 0;
            lastMediaTime = current.mediaTime;
            int next = after(current.index);
            if (next >= 0) {
                load(next);
            } else {
                loading = null;
                loadingIndex = -1;
            }
        }
        int unit = payloadIndex / payloadsPerUnit;
        int off = (payloadIndex % payloadsPerUnit) * Payload.MAX_BYTES;
        int bytes = payloadIndex == current.payloads - 1 ? current.lastPayloadBytes : Payload.MAX_BYTES;
        UnitRef ref = current.units.get(unit);
        out.clear(table.offset(current.index));
        out.addSegment(current.views.get(unit), ref.address(), off, bytes, ref);
        out.checkSync();
        peekedBytes = bytes;
        return READY;
    }

    @Override
    public void advance() {
        if (peekedBytes == 0) {
            throw new IllegalStateException("advance without a successful peek");
        }
        peekedBytes = 0;
        if (++payloadIndex == current.payloads) {
            shownIndex = current.index;
            current.release(); // the send burst pinned the units it still points into
            current = null;
        }
    }

    @Override
    public long peekedMediaTime() {
        return current.mediaTime;
    }

    @Override
    public long nextMediaTime() {
        if (current != null) {
            return current.mediaTime;
        }
        return loadingIndex >= 0 ? mediaTime(loadingIndex) : lastMediaTime;
    }

    /**
     * The file offset of the picture being sent, else of the last one sent (what the viewer sees), else of the
     * first one to send. Where normal play resumes, and where another Scale starts. (A picture read and waiting
     * for its time, nothing of it sent, is not being sent.)
     */
    @Override
    public long position() {
        if (current != null && (payloadIndex > 0 || shownIndex < 0)) {
            return table.offset(current.index);
        }
        if (shownIndex >= 0) {
            return table.offset(shownIndex);
        }
        if (loadingIndex >= 0) {
            return table.offset(loadingIndex);
        }
        return direction > 0 ? source.size() : 0;
    }

    @Override
    public void seek(long offset) {
        throw new UnsupportedOperationException("a trick play feed plays its key frames in order; open another");
    }

    @Override
    public CompletableFuture<?> readiness() {
        return loading == null ? CompletableFuture.completedFuture(null) : loading;
    }

    @Override
    public CompletableFuture<Void> quiesced() {
        CompletableFuture<Void> reading = loading == null ? CompletableFuture.completedFuture(null)
                : loading.handle((p, e) -> null);
        return CompletableFuture.allOf(released, reading);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (current != null) {
            current.release();
            current = null;
        }
        if (loading != null) {
            released = loading.handle((p, e) -> {
                if (p != null) {
                    p.release();
                }
                return null;
            });
        }
    }

    // ---- on the I/O executor ----

    /** Reads key frame {@code index}'s access unit and writes the picture's packets into pinned units. */
    private Picture assemble(int index) {
        long from = table.offset(index);
        int length = (int) Math.min(KeyframeTable.MAX_ACCESS_UNIT_BYTES, table.end(index) - from);
        if (scratch.length < length) {
            scratch = new byte[length];
        }
        ByteBuffer in = ByteBuffer.wrap(scratch, 0, length);
        try {
            while (in.hasRemaining()) {
                int n = source.readLegacy(from + in.position(), in);
                if (n <= 0) {
                    throw new IOException("short read of " + source.name() + " at " + (from + in.position()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int videoPid = table.videoPid();
        int pcrPid = table.pcrPid();
        int video = 0;
        for (int at = 0; at + TsPacket.SIZE <= length; at += TsPacket.SIZE) {
            TsPacket.checkSync(in, at, from + at);
            if (TsPacket.pid(in, at) == videoPid) {
                video++;
            }
        }
        boolean addPcr = pcrPid < 0x1fff && (pcrPid != videoPid || TsPacket.pcr(in, 0) == TsPacket.NO_PCR);
        int packets = 2 + (addPcr ? 1 : 0) + video;
        int payloads = (packets + Payload.TS_PER_RTP - 1) / Payload.TS_PER_RTP;
        List<UnitRef> units = acquire((payloads + payloadsPerUnit - 1) / payloadsPerUnit);
        Picture picture = new Picture(index, units, payloads, mediaTime(index),
                (packets - (payloads - 1) * Payload.TS_PER_RTP) * TsPacket.SIZE);
        long pts = outputPts(index);
        long pcr = (pts - lead) * 300;
        Writer w = new Writer(picture);
        w.put(ByteBuffer.wrap(table.patPacket()), 0, 0, pcr, pts);
        w.put(ByteBuffer.wrap(table.pmtPacket()), 0, table.pmtPid(), pcr, pts);
        if (addPcr) {
            ByteBuffer p = w.next();
            TsPatch.putPcrPacket(p, w.at, pcrPid, continuity[pcrPid], pcr);
        }
        for (int at = 0; at + TsPacket.SIZE <= length; at += TsPacket.SIZE) {
            if (TsPacket.pid(in, at) == videoPid) {
                w.put(in, at, videoPid, pcr, pts);
            }
        }
        return picture;
    }

    /** Leases {@code n} units, waiting a little when the pool is exhausted (other sessions return theirs). */
    private List<UnitRef> acquire(int n) {
        List<UnitRef> units = new ArrayList<>(n);
        long deadline = System.nanoTime() + POOL_WAIT_NANOS;
        while (units.size() < n) {
            UnitRef ref = pool.tryAcquire();
            if (ref != null) {
                units.add(ref);
            } else if (System.nanoTime() - deadline > 0) {
                units.forEach(UnitRef::release);
                throw new PoolExhaustedException("no pinned unit for a trick play picture in 2 s");
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
        return units;
    }

    /** Copies packets into a picture's units in order, payload-aligned, renumbering continuity and stamping time. */
    private final class Writer {
        private final Picture picture;
        private int packet;
        int at;

        Writer(Picture picture) {
            this.picture = picture;
        }

        /** The buffer of the next packet's slot; {@link #at} is set to its first byte. */
        ByteBuffer next() {
            int payload = packet / Payload.TS_PER_RTP;
            int unit = payload / payloadsPerUnit;
            at = (payload % payloadsPerUnit) * Payload.MAX_BYTES + (packet % Payload.TS_PER_RTP) * TsPacket.SIZE;
            packet++;
            return picture.views.get(unit);
        }

        void put(ByteBuffer src, int from, int pid, long pcr, long pts) {
            ByteBuffer dst = next();
            dst.put(at, src, from, TsPacket.SIZE);
            if (TsPatch.hasPayload(dst, at)) {
                continuity[pid] = (byte) ((continuity[pid] + 1) & 0x0f);
            }
            TsPatch.setContinuity(dst, at, continuity[pid]);
            TsPatch.replacePcr(dst, at, pcr);
            TsPatch.replacePesTimestamps(dst, at, pts);
        }
    }

    /** One key frame's packets, ready to send. */
    private static final class Picture {
        final int index;
        final List<UnitRef> units;
        final List<ByteBuffer> views;
        final int payloads;
        final long mediaTime;
        final int lastPayloadBytes;

        Picture(int index, List<UnitRef> units, int payloads, long mediaTime, int lastPayloadBytes) {
            this.index = index;
            this.units = units;
            this.views = units.stream().map(UnitRef::buffer).toList();
            this.payloads = payloads;
            this.mediaTime = mediaTime;
            this.lastPayloadBytes = lastPayloadBytes;
        }

        void release() {
            units.forEach(UnitRef::release);
        }
    }
}
