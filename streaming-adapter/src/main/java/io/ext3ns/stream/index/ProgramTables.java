package io.ext3ns.stream.index;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The first program's PAT and PMT (ISO 13818-1 2.4.4), read from sections that start and end in one packet (as
 * every muxer writes them for a few streams): which PID carries the PMT, and the stream_type of each elementary
 * PID. Every length is checked against the packet before it is used; a section that does not fit is ignored, so a
 * damaged table only loses what it would have told.
 */
final class ProgramTables {
    private static final int MAX_STREAMS = 64;
    private int pmtPid = -1;
    private final Map<Integer, Integer> streamTypes = new LinkedHashMap<>();

    /** True when {@code pid} carries the PAT or the PMT. */
    boolean isTable(int pid) {
        return pid == 0 || pid == pmtPid;
    }

    /** Elementary PIDs in PMT order, with their stream_type. */
    Map<Integer, Integer> streamTypes() {
        return streamTypes;
    }

    /** The packet of {@code pid} whose payload (unit start set) is {@code [payload, end)}. */
    void section(ByteBuffer buf, int payload, int end, int pid) {
        if (payload >= end) {
            return;
        }
        int s = payload + 1 + (buf.get(payload) & 0xff); // pointer_field
        if (s + 8 > end) {
            return;
        }
        int tableId = buf.get(s) & 0xff;
        int length = ((buf.get(s + 1) & 0x0f) << 8) | (buf.get(s + 2) & 0xff);
        int sectionEnd = s + 3 + length; // includes the CRC
        if (length < 9 || sectionEnd > end) {
            return;
        }
        int body = s + 8;
        int bodyEnd = sectionEnd - 4;
        if (pid == 0 && tableId == 0x00) {
            for (int p = body; p + 4 <= bodyEnd; p += 4) {
                int program = ((buf.get(p) & 0xff) << 8) | (buf.get(p + 1) & 0xff);
                if (program != 0) { // 0 names the network PID
                    pmtPid = ((buf.get(p + 2) & 0x1f) << 8) | (buf.get(p + 3) & 0xff);
                    return;
                }
            }
        } else if (pid == pmtPid && tableId == 0x02 && body + 4 <= bodyEnd) {
            int infoLength = ((buf.get(body + 2) & 0x0f) << 8) | (buf.get(body + 3) & 0xff);
            int p = body + 4 + infoLength;
            Map<Integer, Integer> found = new LinkedHashMap<>();
            while (p + 5 <= bodyEnd && found.size() < MAX_STREAMS) {
                int type = buf.get(p) & 0xff;
                int esPid = ((buf.get(p + 1) & 0x1f) << 8) | (buf.get(p + 2) & 0xff);
                int esInfo = ((buf.get(p + 3) & 0x0f) << 8) | (buf.get(p + 4) & 0xff);
                found.putIfAbsent(esPid, type);
                p += 5 + esInfo;
            }
            if (!found.isEmpty()) {
                streamTypes.clear();
                streamTypes.putAll(found);
            }
        }
    }
}
