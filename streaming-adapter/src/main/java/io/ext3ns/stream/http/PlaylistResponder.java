package io.ext3ns.stream.http;

import io.ext3ns.stream.content.ContentException;
import io.ext3ns.stream.content.ContentFile;
import io.ext3ns.stream.content.ContentResolver;
import io.ext3ns.stream.hls.PlaylistRequest;
import io.ext3ns.stream.hls.Playlists;
import io.ext3ns.stream.hls.SegmentPlan;
import io.ext3ns.stream.index.InvalidTransportStreamException;
import io.ext3ns.stream.index.PcrIndex;
import io.ext3ns.stream.index.PcrIndexCache;
import io.ext3ns.stream.net.Response;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Answers {@code GET /PATH.ts/index.m3u8}, {@code iframes.m3u8} and {@code master.m3u8}: HLS playlists whose
 * segments are byte ranges of PATH.ts itself, so the ordinary range path serves them from the block cache with no
 * copy and no remux. The segment plan comes from the title's seek index (same scan, same cache keyed by the file's
 * inode, mtime and size) and is kept with it; only the text is rendered per request, because it carries the
 * request's query string (a signed URL's token) into every segment URI.
 */
public final class PlaylistResponder {
    /** RFC 8216 4: the playlist MIME type. */
    public static final String CONTENT_TYPE = "application/vnd.apple.mpegurl";

    private final ContentResolver resolver;
    private final PcrIndexCache indexes;
    private final long targetTicks;

    public PlaylistResponder(ContentResolver resolver, PcrIndexCache indexes, java.time.Duration segmentTarget) {
        this.resolver = resolver;
        this.indexes = indexes;
        this.targetTicks = segmentTarget.toNanos() * (PcrIndex.PCR_HZ / 1_000_000) / 1000;
    }

    /**
     * The answer to a request for {@code rawPath} (no query) with {@code query} (after '?', verbatim, or empty), or
     * null when the path names no playlist of an existing file (it is then served as an ordinary path).
     */
    public CompletableFuture<Response> answer(String rawPath, String query, boolean head) throws ContentException {
        PlaylistRequest request = PlaylistRequest.parse(rawPath);
        if (request == null) {
            return null;
        }
        ContentFile file;
        try {
            file = resolver.resolve(request.titlePath());
        } catch (ContentException e) {
            if (e.status() == 404) {
                return null; // no such title: maybe a real file of that name in a directory, else its own 404
            }
            throw e;
        }
        if (!safeInUri(query)) {
            throw new ContentException(400, "query string not usable in a playlist URI");
        }
        String media = request.mediaUri(query);
        return indexes.get(file).handle((index, error) -> {
            if (error != null) {
                Throwable cause = PcrIndexCache.rootCause(error);
                if (cause instanceof InvalidTransportStreamException) {
                    return text(404, "no HLS playlist: " + file.path() + " is not an MPEG transport stream with "
                            + "PCRs (" + cause.getMessage() + ")", head);
                }
                return text(500, "indexing " + file.path() + " failed: " + cause, head);
            }
            SegmentPlan plan = index.derived(new PlanKey(targetTicks), i -> SegmentPlan.of(i, targetTicks));
            String body = switch (request.kind()) {
                case MEDIA -> Playlists.media(plan, media);
                case IFRAMES -> Playlists.iframes(index, media);
                case MASTER -> Playlists.master(index, plan, query);
            };
            if (body == null) {
                return text(404, "no I-frame playlist: " + file.path() + " has no video stream", head);
            }
            return ok(body, head);
        });
    }

    private record PlanKey(long targetTicks) {
    }

    /** Characters a URI may hold as they are (RFC 3986), and none that would end a quoted playlist attribute. */
    static boolean safeInUri(String query) {
        for (int i = 0; i < query.length(); i++) {
            char c = query.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Response ok(String body, boolean head) {
        Response r = new Response("HTTP/1.1", 200).header("Server", "ext3ns")
                .header("Date", HttpDate.format(java.time.Instant.now())).header("Cache-Control", "no-cache");
        if (head) {
            return r.header("Content-Type", CONTENT_TYPE)
                    .contentLength(body.getBytes(StandardCharsets.UTF_8).length);
        }
        return r.body(CONTENT_TYPE, body);
    }

    private static Response text(int status, String why, boolean head) {
        Response r = new Response("HTTP/1.1", status).header("Server", "ext3ns")
                .header("Date", HttpDate.format(java.time.Instant.now()));
        String body = why + "\r\n";
        if (head) {
            return r.header("Content-Type", "text/plain").contentLength(body.length());
        }
        return r.body("text/plain", body);
    }
}
