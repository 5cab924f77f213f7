package io.ext3ns.stream.rtsp;

import io.ext3ns.stream.index.PcrIndex;
import io.ext3ns.stream.server.ChunkSource;
import io.ext3ns.stream.server.LatenessHistogram;
import io.ext3ns.stream.server.Paced;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;

/**
 * Sends one file as MPEG-TS over RTP (RFC 2250: whole 188-byte TS packets, seven per RTP packet, payload type 33,
 * 90 kHz timestamps) at the pace of its PCRs: the byte at offset o is due at {@code start + (t(o) - t(start))},
 * t from the file's {@link PcrIndex}, so the client's buffer neither starves nor overflows. Payloads are slices of
 * the shared chunk buffers, gathered behind a 12-byte header (no copy). Sequence numbers run on across PAUSE and
 * seeks; the RTP timestamp is the media time of the packet's first byte plus a random base, which is what RTP-Info
 * reports. All methods are called under this object's lock: the RTSP thread changes state, a pacer thread sends.
 */
public final class RtpStreamer implements Paced {
    private static final Logger LOG = LoggerFactory.getLogger(RtpStreamer.class);
    public static final int TS_PACKET = 188;
    public static final int TS_PER_RTP = 7;
    private static final int PAYLOAD_TYPE_MP2T = 33;
    /** Packets due within this much are sent in the same turn (saves a wake-up; far below a player's buffer). */
    private static final long LOOKAHEAD_NANOS = 200_000;
    /** A turn ends after this many packets so one stream's burst cannot hold back the thread's other streams. */
    private static final int MAX_PACKETS_PER_TURN = 48;
    private static final long REPORT_INTERVAL_NANOS = 5_000_000_000L;

    /** Where a PLAY starts: what RTP-Info and Range report. */
    public record PlayStart(int seq, int rtpTime, double nptSeconds) {
    }

    private final ChunkSource.Reader reader;
    private final PcrIndex index;
    private final RtpSink sink;
    private final long size;
    private final int ssrc;
    private final int rtpBase;
    private final ByteBuffer header = ByteBuffer.allocateDirect(12);
    private final ByteBuffer[] parts = new ByteBuffer[4];

    private int seq;
    private long offset;
    private long anchorWallNanos;
    private long anchorTicks;
    private boolean playing;
    private boolean ended;
    private boolean clientGone;
    private long packets;
    private long octets;
    private long dropped;
    private long sendErrors;
    private long nextReportNanos;
    private ByteBuffer chunk = ByteBuffer.allocate(0);
    private long chunkOffset;

    public RtpStreamer(ChunkSource.Reader reader, PcrIndex index, RtpSink sink, int ssrc, int firstSeq,
                       int rtpBase) {
        this.reader = reader;
        this.index = index;
        this.sink = sink;
        this.size = index.fileSize();
        this.ssrc = ssrc;
        this.seq = firstSeq & 0xffff;
        this.rtpBase = rtpBase;
    }

    /**
     * Starts or resumes sending at {@code nowNanos}; from {@code seekOffset} if not negative (rounded down to a TS
     * packet), else from where it paused.
     */
    public synchronized PlayStart play(long seekOffset, long nowNanos) {
        if (seekOffset >= 0) {
            offset = Math.min(size, seekOffset - seekOffset % TS_PACKET);
        }
        anchorWallNanos = nowNanos;
        anchorTicks = index.timeAt(offset);
        playing = true;
        ended = offset >= size;
        nextReportNanos = nowNanos;
        return new PlayStart(seq, rtpTime(offset), anchorTicks / (double) PcrIndex.PCR_HZ);
    }

    /** Stops sending; returns the media time (seconds) it paused at. */
    public synchronized double pause() {
        playing = false;
        return index.timeAt(offset) / (double) PcrIndex.PCR_HZ;
    }

    public synchronized boolean playing() {
        return playing && !ended && !clientGone;
    }

    public synchronized boolean clientGone() {
        return clientGone;
    }

    public synchronized long packetsSent() {
        return packets;
    }

    public synchronized long packetsDropped() {
        return dropped;
    }

    public synchronized long sendErrors() {
        return sendErrors;
    }

    public String path() {
        return sink.path();
    }

    /** Reads client RTCP; true if the client reported since the last call. */
    public boolean pollClientReports() {
        try {
            return sink.pollClientReports();
        } catch (IOException e) {
            return false;
        }
    }

    private int rtpTime(long at) {
        return rtpBase + (int) (index.timeAt(at) / 300); // 27 MHz -> 90 kHz
    }

    private long dueNanos(long at) {
        return anchorWallNanos + (index.timeAt(at) - anchorTicks) * 1000 / 27;
    }

    @Override
    public synchronized long sendDue(long nowNanos, LatenessHistogram lateness) {
        if (!playing || clientGone) {
            return IDLE;
        }
        for (int sent = 0; sent < MAX_PACKETS_PER_TURN; sent++) {
            if (offset >= size) {
                finish(nowNanos);
                return IDLE;
            }
            long due = dueNanos(offset);
            if (due > nowNanos + LOOKAHEAD_NANOS) {
                return due;
            }
            try {
                sendPacket();
            } catch (PortUnreachableException e) {
                LOG.debug("client port unreachable: stopping stream");
                clientGone = true;
                return IDLE;
            } catch (IOException e) {
                sendErrors++; // ENOBUFS and the like: the packet is lost, counted; the stream goes on
                LOG.debug("send failed: {}", e.toString());
            }
            lateness.record(nowNanos - due);
            if (nowNanos >= nextReportNanos) {
                report(nowNanos, false);
            }
        }
        return nowNanos;
    }

    private void sendPacket() throws IOException {
        int length = (int) Math.min((long) TS_PACKET * TS_PER_RTP, size - offset);
        header.clear();
        header.put((byte) 0x80).put((byte) PAYLOAD_TYPE_MP2T).putShort((short) seq).putInt(rtpTime(offset))
                .putInt(ssrc).flip();
        parts[0] = header;
        int count = 1;
        long at = offset;
        int need = length;
        while (need > 0) {
            ByteBuffer slice = sliceAt(at, need);
            parts[count++] = slice;
            need -= slice.remaining();
            at += slice.remaining();
        }
        // seq and offset advance even when the packet is dropped: the receiver sees a gap, not a stall
        offset += length;
        seq = (seq + 1) & 0xffff;
        if (sink.sendRtp(parts, count)) {
            packets++;
            octets += length;
        } else {
            dropped++;
        }
    }

    /** Up to {@code max} bytes of file data at {@code at}, from the current chunk or the next one. */
    private ByteBuffer sliceAt(long at, int max) throws IOException {
        long within = at - chunkOffset;
        if (within < 0 || within >= chunk.limit()) {
            chunk = reader.chunkAt(at);
            chunkOffset = at;
            within = 0;
            if (!chunk.hasRemaining()) {
                throw new IOException("file ended at " + at + " before its indexed size " + size);
            }
        }
        int n = (int) Math.min(max, chunk.limit() - within);
        return chunk.duplicate().position((int) within).limit((int) within + n);
    }

    private void report(long nowNanos, boolean bye) {
        int rtpNow = rtpBase + (int) ((anchorTicks + (nowNanos - anchorWallNanos) * 27 / 1000) / 300);
        try {
            sink.sendRtcp(RtcpReports.senderReport(ssrc, System.currentTimeMillis(), rtpNow, packets, octets, bye));
        } catch (IOException e) {
            sendErrors++;
        }
        nextReportNanos = nowNanos + REPORT_INTERVAL_NANOS;
    }

    private void finish(long nowNanos) {
        if (!ended) {
            ended = true;
            report(nowNanos, true);
        }
    }

    /** Ends the stream for good: a BYE if it was playing, then the file handle and sockets are released. */
    public synchronized void close() {
        if (playing && !ended && !clientGone) {
            report(System.nanoTime(), true);
        }
        playing = false;
        try {
            sink.close();
        } catch (IOException ignored) {
            // closing sockets: nothing to recover
        }
        try {
            reader.close();
        } catch (IOException e) {
            LOG.warn("releasing file handle: {}", e.toString());
        }
    }
}
