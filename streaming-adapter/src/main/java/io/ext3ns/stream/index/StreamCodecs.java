package io.ext3ns.stream.index;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * What a PMT stream_type is, and the RFC 6381 codec string of a stream read from the start of one of its PES
 * payloads: H.264 from its sequence parameter set (profile, constraint flags, level), AAC from its ADTS header
 * (audio object type), MPEG audio from its frame header. HEVC's string needs fields deep in its SPS, so it stays
 * unknown (null), as do codecs HLS players do not take.
 */
final class StreamCodecs {
    static final int MPEG1_VIDEO = 0x01;
    static final int MPEG2_VIDEO = 0x02;
    static final int MPEG1_AUDIO = 0x03;
    static final int MPEG2_AUDIO = 0x04;
    static final int AAC_ADTS = 0x0F;
    static final int MPEG4_VIDEO = 0x10;
    static final int H264 = 0x1B;
    static final int HEVC = 0x24;
    static final int AC3 = 0x81;
    static final int EAC3 = 0x87;

    private StreamCodecs() {
    }

    static boolean isVideo(int streamType) {
        return streamType == MPEG1_VIDEO || streamType == MPEG2_VIDEO || streamType == MPEG4_VIDEO
                || streamType == H264 || streamType == HEVC;
    }

    static boolean isAudio(int streamType) {
        return streamType == MPEG1_AUDIO || streamType == MPEG2_AUDIO || streamType == AAC_ADTS
                || streamType == AC3 || streamType == EAC3 || streamType == 0x11; // 0x11: AAC in LATM
    }

    static String name(int streamType) {
        return switch (streamType) {
            case MPEG1_VIDEO -> "MPEG-1 video";
            case MPEG2_VIDEO -> "MPEG-2 video";
            case MPEG4_VIDEO -> "MPEG-4 video";
            case H264 -> "H.264";
            case HEVC -> "HEVC";
            case MPEG1_AUDIO, MPEG2_AUDIO -> "MPEG audio";
            case AAC_ADTS -> "AAC";
            case 0x11 -> "AAC (LATM)";
            case AC3 -> "AC-3";
            case EAC3 -> "E-AC-3";
            default -> String.format(Locale.ROOT, "stream type 0x%02x", streamType);
        };
    }

    /** The codec string from the elementary stream bytes {@code [p, end)}, or null if they do not tell it. */
    static String codec(int streamType, ByteBuffer buf, int p, int end) {
        return switch (streamType) {
            case H264 -> avc(buf, p, end);
            case AAC_ADTS -> adts(buf, p, end);
            case MPEG1_AUDIO, MPEG2_AUDIO -> mpegAudio(buf, p, end);
            case AC3 -> "ac-3";
            case EAC3 -> "ec-3";
            default -> null;
        };
    }

    /** avc1.PPCCLL from the first SPS NAL unit (type 7) in the bytes. */
    private static String avc(ByteBuffer buf, int p, int end) {
        for (int i = p; i + 6 < end; i++) {
            if (buf.get(i) == 0 && buf.get(i + 1) == 0 && buf.get(i + 2) == 1 && (buf.get(i + 3) & 0x1f) == 7) {
                return String.format(Locale.ROOT, "avc1.%02x%02x%02x", buf.get(i + 4) & 0xff, buf.get(i + 5) & 0xff,
                        buf.get(i + 6) & 0xff);
            }
        }
        return null;
    }

    /** mp4a.40.N, N the audio object type (ADTS profile + 1). */
    private static String adts(ByteBuffer buf, int p, int end) {
        if (p + 3 > end || (buf.get(p) & 0xff) != 0xff || (buf.get(p + 1) & 0xf0) != 0xf0) {
            return null;
        }
        return "mp4a.40." + (((buf.get(p + 2) & 0xff) >> 6) + 1);
    }

    /** MP3 as mp4a.40.34, other MPEG audio layers as mp4a.6B (MPEG-1 audio). */
    private static String mpegAudio(ByteBuffer buf, int p, int end) {
        if (p + 2 > end || (buf.get(p) & 0xff) != 0xff || (buf.get(p + 1) & 0xe0) != 0xe0) {
            return null;
        }
        int layer = (buf.get(p + 1) >> 1) & 0x3;
        return layer == 1 ? "mp4a.40.34" : "mp4a.6B";
    }

    /**
     * True when the bytes begin a key frame the stream's own syntax shows (for muxers that set no
     * random_access_indicator): an H.264 IDR slice, an HEVC IRAP picture, an MPEG-1/2 sequence or GOP header.
     */
    static boolean startsKeyFrame(int streamType, ByteBuffer buf, int p, int end) {
        for (int i = p; i + 3 < end; i++) {
            if (buf.get(i) != 0 || buf.get(i + 1) != 0 || buf.get(i + 2) != 1) {
                continue;
            }
            int b = buf.get(i + 3) & 0xff;
            switch (streamType) {
                case H264 -> {
                    if ((b & 0x1f) == 5) {
                        return true;
                    }
                }
                case HEVC -> {
                    int type = (b >> 1) & 0x3f;
                    if (type >= 16 && type <= 21) {
                        return true;
                    }
                }
                case MPEG1_VIDEO, MPEG2_VIDEO -> {
                    if (b == 0xb3 || b == 0xb8) {
                        return true;
                    }
                }
                default -> {
                    return false;
                }
            }
        }
        return false;
    }
}
