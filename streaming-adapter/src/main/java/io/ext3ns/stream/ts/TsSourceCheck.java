package io.ext3ns.stream.ts;

import io.ext3ns.stream.source.MediaSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Refuses, with a message saying why, content that cannot be streamed as RFC 2250 MPEG-TS. */
public final class TsSourceCheck {
    /** Packets read per step; at least this many have their sync byte checked up front (all are again as sent). */
    private static final int CHECKED_PACKETS = 64;
    /** A stream with no PCR in its first MiB cannot be paced. */
    private static final int PCR_SEARCH_BYTES = 1 << 20;

    private TsSourceCheck() {
    }

    /**
     * Checks size, the sync bytes of the packets read and (when {@code needPcr}) that a PCR appears in the first MiB.
     *
     * @throws NotMpegTsException with the reason
     */
    public static void check(MediaSource source, boolean needPcr) throws IOException {
        long size = source.size();
        if (size == 0) {
            throw new NotMpegTsException(source.name() + " is empty");
        }
        if (size % TsPacket.SIZE != 0) {
            throw new NotMpegTsException(source.name() + ": size " + size + " is not a multiple of 188 bytes "
                    + "(not MPEG-TS, or truncated)");
        }
        long pcrLimit = needPcr ? Math.min(size, PCR_SEARCH_BYTES) : 0;
        ByteBuffer chunk = ByteBuffer.allocate(CHECKED_PACKETS * TsPacket.SIZE);
        boolean pcrSeen = false;
        long offset = 0;
        // read a chunk at a time: most streams show a PCR in their first packets
        while (offset < size && (offset < (long) CHECKED_PACKETS * TsPacket.SIZE || (!pcrSeen && offset < pcrLimit))) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), size - offset));
            int n = source.readLegacy(offset, chunk);
            if (n != chunk.limit()) {
                throw new IOException(source.name() + ": short read at " + offset + " (" + n + " bytes)");
            }
            for (int at = 0; at < n; at += TsPacket.SIZE) {
                try {
                    TsPacket.checkSync(chunk, at, offset + at);
                } catch (NotMpegTsException e) {
                    throw new NotMpegTsException(source.name() + ": " + e.getMessage());
                }
                pcrSeen |= TsPacket.pcr(chunk, at) != TsPacket.NO_PCR;
            }
            offset += n;
        }
        if (needPcr && !pcrSeen) {
            throw new NotMpegTsException(source.name() + ": no PCR in the first " + offset
                    + " bytes, so the stream cannot be paced");
        }
    }
}
