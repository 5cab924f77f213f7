package io.ext3ns.stream.testing;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What a decoder would see in a transport stream, for the trick play tests: the video pictures (PTS, whether the
 * PES start carries the random-access indicator, the H.264 NAL unit types inside, a digest of the elementary stream
 * bytes to recognise the picture in the source file, when its first packet arrived), the packets of other
 * elementary streams (audio), and continuity counter errors. Fed TS packets in order, one at a time.
 */
public final class TsPictures {
    /** One video access unit (the bytes of one PES). */
    public record Picture(long pts, boolean randomAccess, int nalTypes, String digest, long arrivalNanos,
                          long rtpTimestamp) {
        public boolean hasNal(int type) {
            return (nalTypes & (1 << type)) != 0;
        }

        /** An IDR picture (H.264 NAL type 5) with no other slice type. */
        public boolean keyframe() {
            return randomAccess && hasNal(5) && !hasNal(1);
        }
    }

    private final List<Picture> pictures = new ArrayList<>();
    private final int[] lastCc = new int[8192];
    private int pmtPid = -1;
    private int videoPid = -1;
    private int otherEsPackets;
    private int ccErrors;
    private int patPackets;
    private int pmtPackets;
    private ByteArrayOutputStream es;
    private long openPts;
    private boolean openRa;
    private long openNanos;
    private long openRtp;

    public TsPictures() {
        java.util.Arrays.fill(lastCc, -1);
    }

    /**
     * A parser that already knows the PIDs (from an earlier part of the same stream): a player keeps the PMT it
     * read, and a stream resumed mid-file need not repeat it before the next picture.
     */
    public static TsPictures continuing(TsPictures earlier) {
        TsPictures p = new TsPictures();
        p.pmtPid = earlier.pmtPid;
        p.videoPid = earlier.videoPid;
        return p;
    }

    /** Parses a whole file's bytes. */
    public static TsPictures of(byte[] ts) {
        TsPictures p = new TsPictures();
        for (int at = 0; at + 188 <= ts.length; at += 188) {
            p.packet(ts, at, 0, 0);
        }
        return p;
    }

    /** Feeds the packet at {@code at}; {@code nanos} and {@code rtpTimestamp} say when and in what it came. */
    public void packet(byte[] b, int at, long nanos, long rtpTimestamp) {
        if ((b[at] & 0xff) != 0x47) {
            throw new AssertionError("no sync byte");
        }
        int pid = ((b[at + 1] & 0x1f) << 8) | (b[at + 2] & 0xff);
        boolean unitStart = (b[at + 1] & 0x40) != 0;
        int afc = (b[at + 3] >> 4) & 3;
        int cc = b[at + 3] & 0x0f;
        boolean payload = (afc & 1) != 0;
        if (pid != 0x1fff) {
            int expected = lastCc[pid] < 0 ? cc : payload ? (lastCc[pid] + 1) & 15 : lastCc[pid];
            if (cc != expected) {
                ccErrors++;
            }
            lastCc[pid] = cc;
        }
        int afLength = (afc & 2) != 0 ? b[at + 4] & 0xff : -1;
        int p = at + 4 + (afLength >= 0 ? 1 + afLength : 0);
        boolean ra = afLength > 0 && (b[at + 5] & 0x40) != 0;
        if (!payload || p >= at + 188) {
            return;
        }
        if (pid == 0) {
            patPackets++;
            if (unitStart) {
                int s = p + 1 + (b[p] & 0xff);
                pmtPid = ((b[s + 10] & 0x1f) << 8) | (b[s + 11] & 0xff); // first program (the tests' files have one)
            }
        } else if (pid == pmtPid) {
            pmtPackets++;
            if (unitStart && videoPid < 0) {
                int s = p + 1 + (b[p] & 0xff);
                int end = s + 3 + (((b[s + 1] & 0x0f) << 8) | (b[s + 2] & 0xff)) - 4;
                for (int e = s + 12 + (((b[s + 10] & 0x0f) << 8) | (b[s + 11] & 0xff)); e + 5 <= end;
                     e += 5 + (((b[e + 3] & 0x0f) << 8) | (b[e + 4] & 0xff))) {
                    if ((b[e] & 0xff) == 0x1b) {
                        videoPid = ((b[e + 1] & 0x1f) << 8) | (b[e + 2] & 0xff);
                    }
                }
            }
        } else if (pid == videoPid) {
            if (unitStart) {
                finish();
                openPts = ((long) (b[p + 9] & 0x0e) << 29) | ((b[p + 10] & 0xff) << 22) | ((b[p + 11] & 0xfe) << 14)
                        | ((b[p + 12] & 0xff) << 7) | ((b[p + 13] & 0xfe) >> 1);
                openRa = ra;
                openNanos = nanos;
                openRtp = rtpTimestamp;
                es = new ByteArrayOutputStream();
                int data = p + 9 + (b[p + 8] & 0xff);
                es.write(b, data, at + 188 - data);
            } else if (es != null) {
                es.write(b, p, at + 188 - p);
            }
        } else if (pmtPid >= 0 && pid != 0x1fff) {
            otherEsPackets++;
        }
    }

    private void finish() {
        if (es == null) {
            return;
        }
        byte[] bytes = es.toByteArray();
        int types = 0;
        for (int i = 0; i + 3 < bytes.length; i++) {
            if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1) {
                types |= 1 << (bytes[i + 3] & 0x1f);
            }
        }
        pictures.add(new Picture(openPts, openRa, types, sha256(bytes), openNanos, openRtp));
        es = null;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The pictures whose PES is known to be complete (a later PES start on the PID was seen), in order. */
    public List<Picture> pictures() {
        return pictures;
    }

    /** Every picture including the last one (for a whole file: its end closes the last PES). */
    public List<Picture> allPictures() {
        finish();
        return pictures;
    }

    public int otherEsPackets() {
        return otherEsPackets;
    }

    public int continuityErrors() {
        return ccErrors;
    }

    public int patPackets() {
        return patPackets;
    }

    public int pmtPackets() {
        return pmtPackets;
    }

    public int videoPid() {
        return videoPid;
    }
}
