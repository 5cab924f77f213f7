package io.ext3ns.stream.http;

import java.util.Locale;
import java.util.Map;

/** The Content-Type of a download, from the file name's extension (what browsers and players expect). */
final class ContentTypes {
    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("ts", "video/mp2t"), Map.entry("m2ts", "video/mp2t"), Map.entry("mts", "video/mp2t"),
            Map.entry("mpg", "video/mpeg"), Map.entry("mpeg", "video/mpeg"), Map.entry("m2v", "video/mpeg"),
            Map.entry("mp4", "video/mp4"), Map.entry("m4v", "video/mp4"), Map.entry("m4a", "audio/mp4"),
            Map.entry("mov", "video/quicktime"), Map.entry("mkv", "video/x-matroska"),
            Map.entry("mka", "audio/x-matroska"), Map.entry("webm", "video/webm"), Map.entry("avi", "video/x-msvideo"),
            Map.entry("ogv", "video/ogg"), Map.entry("ogg", "audio/ogg"), Map.entry("oga", "audio/ogg"),
            Map.entry("opus", "audio/ogg"), Map.entry("mp3", "audio/mpeg"), Map.entry("mp2", "audio/mpeg"),
            Map.entry("aac", "audio/aac"), Map.entry("flac", "audio/flac"), Map.entry("wav", "audio/wav"),
            Map.entry("m3u8", "application/vnd.apple.mpegurl"), Map.entry("mpd", "application/dash+xml"),
            Map.entry("vtt", "text/vtt"), Map.entry("srt", "application/x-subrip"),
            Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"), Map.entry("png", "image/png"),
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("json", "application/json"));

    private ContentTypes() {
    }

    static String of(String path) {
        int slash = path.lastIndexOf('/');
        int dot = path.lastIndexOf('.');
        if (dot <= slash + 1) {
            return "application/octet-stream";
        }
        return BY_EXTENSION.getOrDefault(path.substring(dot + 1).toLowerCase(Locale.ROOT), "application/octet-stream");
    }
}
