package io.ext3ns.stream.hls;

import io.ext3ns.stream.index.ElementaryStream;
import io.ext3ns.stream.index.Keyframes;
import io.ext3ns.stream.index.PcrIndex;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The text of a title's HLS playlists (RFC 8216), all pointing into the title's own transport stream file with
 * byte ranges: the media playlist (segments of a {@link SegmentPlan}), the I-frame playlist (each key frame's
 * packets, 4.3.3.6) and the master playlist naming both. {@code media} is the URI of the .ts file relative to the
 * playlist (with the playlist request's query string, so a signed-URL token reaches the segments).
 */
public final class Playlists {
    /** Version 4: EXT-X-BYTERANGE and EXT-X-I-FRAMES-ONLY (RFC 8216 7). */
    static final int VERSION = 4;
    private static final double HZ = PcrIndex.PCR_HZ;

    private Playlists() {
    }

    /** The VOD media playlist of {@code plan}. */
    public static String media(SegmentPlan plan, String media) {
        List<long[]> entries = new ArrayList<>(plan.count());
        for (int i = 0; i < plan.count(); i++) {
            entries.add(new long[]{plan.offset(i), plan.length(i), plan.durationTicks(i)});
        }
        return playlist(entries, media, null);
    }

    /** The I-frame playlist of {@code index}, or null when the title has no video (no I-frames to list). */
    public static String iframes(PcrIndex index, String media) {
        Keyframes kf = index.keyframes();
        if (!kf.video() || kf.count() == 0) {
            return null;
        }
        String map = iframeMap(kf, media);
        return playlist(iframeEntries(kf), media, map == null ? "" : map);
    }

    /** Longest PAT..PMT stretch given as an EXT-X-MAP (a few packets; more would carry media). */
    private static final long MAX_MAP_BYTES = 16 * 188;

    /**
     * The EXT-X-MAP line an I-frame playlist needs when some key frame has no PAT/PMT right before it (its range
     * alone would not name the streams): the first PAT and PMT of the file; null when every range starts with them.
     */
    private static String iframeMap(Keyframes kf, String media) {
        boolean all = true;
        for (int i = 0; i < kf.count() && all; i++) {
            all = kf.startsWithTables(i);
        }
        long length = kf.tablesEnd() - kf.tablesStart();
        if (all || kf.tablesStart() < 0 || length <= 0 || length > MAX_MAP_BYTES) {
            return null;
        }
        return "#EXT-X-MAP:URI=\"" + media + "\",BYTERANGE=\"" + length + "@" + kf.tablesStart() + "\"";
    }

    private static List<long[]> iframeEntries(Keyframes kf) {
        List<long[]> entries = new ArrayList<>(kf.count());
        for (int i = 0; i < kf.count(); i++) {
            long next = i + 1 < kf.count() ? kf.time(i + 1) : Math.max(kf.presentationEnd(), kf.time(i) + 1);
            entries.add(new long[]{kf.start(i), kf.end(i) - kf.start(i), next - kf.time(i)});
        }
        return entries;
    }

    /**
     * The master playlist: one variant (index.m3u8) with its peak and average bit rate and, when every stream's
     * codec is known, CODECS; and the I-frame variant (iframes.m3u8) when the title has video.
     */
    public static String master(PcrIndex index, SegmentPlan plan, String query) {
        String q = query.isEmpty() ? "" : "?" + query;
        long bytes = 0;
        double peak = 0;
        for (int i = 0; i < plan.count(); i++) {
            bytes += plan.length(i);
            peak = Math.max(peak, rate(plan.length(i), plan.durationTicks(i)));
        }
        StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:").append(VERSION).append('\n');
        out.append("#EXT-X-STREAM-INF:BANDWIDTH=").append((long) Math.ceil(peak))
                .append(",AVERAGE-BANDWIDTH=").append((long) Math.ceil(rate(bytes, plan.totalTicks())));
        String codecs = codecs(index.streams(), false);
        if (codecs != null) {
            out.append(",CODECS=\"").append(codecs).append('"');
        }
        out.append('\n').append("index.m3u8").append(q).append('\n');
        Keyframes kf = index.keyframes();
        if (kf.video() && kf.count() > 0) {
            double iframePeak = 0;
            for (long[] e : iframeEntries(kf)) {
                iframePeak = Math.max(iframePeak, rate(e[1], e[2]));
            }
            out.append("#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=").append((long) Math.ceil(iframePeak));
            String video = codecs(index.streams(), true);
            if (video != null) {
                out.append(",CODECS=\"").append(video).append('"');
            }
            out.append(",URI=\"iframes.m3u8").append(q).append("\"\n");
        }
        return out.toString();
    }

    /** RFC 6381 codec strings of the audio and video streams, or null if any is unknown (or none is listed). */
    public static String codecs(List<ElementaryStream> streams, boolean videoOnly) {
        StringJoiner joined = new StringJoiner(",");
        int listed = 0;
        for (ElementaryStream s : streams) {
            if (videoOnly && !s.video()) {
                continue;
            }
            if (s.codec() == null) {
                if (s.video() || s.name().startsWith("AAC") || s.name().contains("audio") || s.name().contains("AC-3")) {
                    return null; // a stream players must decode, codec unknown: say nothing rather than half
                }
                continue; // data streams (subtitles, SCTE-35) are not named in CODECS
            }
            joined.add(s.codec());
            listed++;
        }
        return listed == 0 ? null : joined.toString();
    }

    private static double rate(long bytes, long ticks) {
        return ticks <= 0 ? 0 : bytes * 8.0 * HZ / ticks;
    }

    /**
     * A VOD playlist of byte-range entries; {@code map} non-null makes it an I-frame playlist with that EXT-X-MAP,
     * "" an I-frame playlist without one, null a media playlist.
     */
    private static String playlist(List<long[]> entries, String media, String map) {
        boolean iframesOnly = map != null;
        long target = 1;
        for (long[] e : entries) {
            target = Math.max(target, roundedSeconds(e[2]));
        }
        StringBuilder out = new StringBuilder(64 + entries.size() * (64 + media.length()));
        // EXT-X-MAP in an I-frames-only playlist needs version 5 (RFC 8216 7)
        out.append("#EXTM3U\n#EXT-X-VERSION:").append(map != null && !map.isEmpty() ? 5 : VERSION).append('\n')
                .append("#EXT-X-TARGETDURATION:").append(target).append('\n')
                .append("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n");
        if (iframesOnly) {
            out.append("#EXT-X-I-FRAMES-ONLY\n");
            if (!map.isEmpty()) {
                out.append(map).append('\n');
            }
        }
        for (long[] e : entries) {
            out.append("#EXTINF:").append(seconds(e[2])).append(",\n")
                    .append("#EXT-X-BYTERANGE:").append(e[1]).append('@').append(e[0]).append('\n')
                    .append(media).append('\n');
        }
        return out.append("#EXT-X-ENDLIST\n").toString();
    }

    /** A duration as #EXTINF gives it: seconds with six decimals (microseconds; PTS ticks are 11.1 µs). */
    static String seconds(long ticks) {
        return BigDecimal.valueOf(ticks).divide(BigDecimal.valueOf(PcrIndex.PCR_HZ), 6, RoundingMode.HALF_UP)
                .toPlainString();
    }

    /**
     * A duration as written in #EXTINF rounded to the nearest whole second, halves up, as RFC 8216 4.3.3.1 compares
     * it with #EXT-X-TARGETDURATION (a player rounds the written value, so this does too).
     */
    static long roundedSeconds(long ticks) {
        return new BigDecimal(seconds(ticks)).setScale(0, RoundingMode.HALF_UP).longValue();
    }
}
