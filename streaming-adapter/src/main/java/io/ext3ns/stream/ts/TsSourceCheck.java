package io.ext3ns.stream.ts;

import io.ext3ns.stream.source.MediaSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/** Refuses, with a message saying why, content that cannot be streamed as RFC 2250 MPEG-TS. */
public final class TsSourceCheck {
    /** Packets whose sync byte is checked up front (every packet is checked again as it is sent). */
    private static final int CHECKED_PACKETS = 64;
    /** A stream with no PCR in its first MiB cannot be paced. */
    private static final int PCR_SEARCH_BYTES = 1 << 20;

    private TsSourceCheck() {
    }

    /**
     * Checks size, the first packets' sync bytes and (when {@code needPcr}) that a PCR appears early.
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
        int probe = (int) Math.min(size, needPcr ? PCR_SEARCH_BYTES : (long) CHECKED_PACKETS * TsPacket.SIZE);
        ByteBuffer head = ByteBuffer.allocate(probe);
        int n = source.readLegacy(0, head);
        if (n != probe) {
            throw new IOException(source.name() + ": short read of the first " + probe + " bytes (" + n + ")");
        }
        boolean pcrSeen = false;
        for (int off = 0; off < probe; off += TsPacket.SIZE) {
            if (off < CHECKED_PACKETS * TsPacket.SIZE) {
                try {
                    TsPacket.checkSync(head, off, off);
                } catch (NotMpegTsException e) {
                    throw new NotMpegTsException(source.name() + ": " + e.getMessage());
                }
            }
            pcrSeen |= head.get(off) == TsPacket.SYNC && TsPacket.pcr(head, off) != TsPacket.NO_PCR;
            if (pcrSeen && off >= CHECKED_PACKETS * TsPacket.SIZE) {
                break;
            }
        }
        if (needPcr && !pcrSeen) {
            throw new NotMpegTsException(source.name() + ": no PCR in the first " + probe
                    + " bytes, so the stream cannot be paced");
        }
    }
}
