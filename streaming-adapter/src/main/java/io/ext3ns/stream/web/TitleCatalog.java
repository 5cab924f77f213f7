package io.ext3ns.stream.web;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.stream.content.ContentFile;
import io.ext3ns.stream.index.ElementaryStream;
import io.ext3ns.stream.index.PcrIndex;
import io.ext3ns.stream.index.PcrIndexCache;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The store's titles as JSON for the web page ({@code GET /api/titles}): every transport stream file (.ts, .m2ts,
 * .mts) found walking the store's directories, with its size, duration and codecs from its seek index (built if
 * needed, cached by the file's identity like every index). The walk runs on the given executor, never on the event
 * loop, and is bounded ({@link #MAX_ENTRIES} directory entries, {@link #MAX_TITLES} titles, {@link #MAX_DEPTH}
 * levels), so a huge store answers with its first titles rather than holding the server. Symlinks are not followed
 * (a title reached through one is listed where it lives).
 */
public final class TitleCatalog {
    static final int MAX_ENTRIES = 100_000;
    static final int MAX_TITLES = 1000;
    static final int MAX_DEPTH = 32;

    private final FileSystem fs;
    private final PcrIndexCache indexes;
    private final Executor walker;

    public TitleCatalog(FileSystem fs, PcrIndexCache indexes, Executor walker) {
        this.fs = fs;
        this.indexes = indexes;
        this.walker = walker;
    }

    /** The JSON array of titles, sorted by path. */
    public CompletableFuture<String> json() {
        return CompletableFuture.supplyAsync(this::walk, walker).thenCompose(files -> {
            List<CompletableFuture<String>> entries = new ArrayList<>(files.size());
            for (ContentFile f : files) {
                entries.add(indexes.get(f).handle((index, error) -> entry(f, index, error)));
            }
            return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new)).thenApply(v -> {
                StringBuilder out = new StringBuilder("[");
                for (int i = 0; i < entries.size(); i++) {
                    out.append(i == 0 ? "\n" : ",\n").append(entries.get(i).join());
                }
                return out.append("\n]\n").toString();
            });
        });
    }

    private List<ContentFile> walk() {
        record Dir(long ino, String path, int depth) {
        }
        List<ContentFile> found = new ArrayList<>();
        Deque<Dir> pending = new ArrayDeque<>();
        pending.add(new Dir(FileSystem.ROOT_INO, "", 0));
        int seen = 0;
        while (!pending.isEmpty() && seen < MAX_ENTRIES && found.size() < MAX_TITLES) {
            Dir dir = pending.poll();
            List<DirEntry> entries;
            try {
                entries = fs.readdir(dir.ino());
            } catch (FsException e) {
                continue; // unreadable directory: list the rest
            }
            for (DirEntry e : entries) {
                if (++seen > MAX_ENTRIES || found.size() >= MAX_TITLES) {
                    break;
                }
                if (e.name().equals(".") || e.name().equals("..") || e.name().equals("lost+found")) {
                    continue;
                }
                try {
                    Attr attr = fs.getattr(e.ino());
                    String path = dir.path() + "/" + e.name();
                    if (attr.isDirectory() && dir.depth() < MAX_DEPTH) {
                        pending.add(new Dir(e.ino(), path, dir.depth() + 1));
                    } else if (attr.isRegular() && isTransportStreamName(e.name())) {
                        found.add(new ContentFile(path, e.ino(), attr.size(), attr.mtimeNanos()));
                    }
                } catch (FsException ignored) {
                    // gone since readdir
                }
            }
        }
        found.sort(Comparator.comparing(ContentFile::path));
        return found;
    }

    static boolean isTransportStreamName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".ts") || n.endsWith(".m2ts") || n.endsWith(".mts");
    }

    private static String entry(ContentFile f, PcrIndex index, Throwable error) {
        String url = io.ext3ns.stream.content.ContentResolver.encode(f.path());
        StringBuilder out = new StringBuilder("{\"path\":").append(quote(f.path()))
                .append(",\"name\":").append(quote(f.path().substring(f.path().lastIndexOf('/') + 1)))
                .append(",\"size\":").append(f.size())
                .append(",\"url\":").append(quote(url));
        if (index == null) {
            Throwable cause = PcrIndexCache.rootCause(error);
            return out.append(",\"error\":").append(quote(String.valueOf(cause.getMessage()))).append('}').toString();
        }
        var kf = index.keyframes(); // presentation time, as the HLS playlists add it up (padding has none)
        double seconds = (kf.presentationEnd() - kf.presentationStart()) / (double) PcrIndex.PCR_HZ;
        out.append(",\"duration\":").append(String.format(Locale.ROOT, "%.3f", seconds))
                .append(",\"hls\":").append(quote(url + "/master.m3u8"))
                .append(",\"codecs\":[");
        List<ElementaryStream> streams = index.streams();
        for (int i = 0; i < streams.size(); i++) {
            ElementaryStream s = streams.get(i);
            out.append(i == 0 ? "" : ",").append(quote(s.codec() == null ? s.name() : s.name() + " (" + s.codec() + ")"));
        }
        return out.append("]}").toString();
    }


    /** A JSON string literal (RFC 8259 7). */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
