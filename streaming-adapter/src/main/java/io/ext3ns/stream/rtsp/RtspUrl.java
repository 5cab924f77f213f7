package io.ext3ns.stream.rtsp;

import java.util.Locale;

/**
 * The parts of a request URL the server uses: "rtsp://host[:port]/path[/trackID=0][?query]". The content path
 * stays percent-encoded (the resolver decodes it once); the track suffix our SDP advertises is split off; the query
 * (raw, or null) may carry a URL signature, which the URLs we hand back (Content-Base, the track's control URL)
 * repeat so players send it again on SETUP and PLAY.
 */
record RtspUrl(String base, String contentPath, boolean track, String query) {
    static final String TRACK = "trackID=0";
    /**
     * A query we repeat in our own URLs: query characters of RFC 3986 but ';' and ',', which end a URL inside
     * RTP-Info, and '#'.
     */
    private static final java.util.regex.Pattern REPEATABLE = java.util.regex.Pattern.compile(
            "[A-Za-z0-9._~!$'()*+=:@/?&%-]+");

    static RtspUrl parse(String target) throws RtspException {
        String lower = target.toLowerCase(Locale.ROOT);
        String path;
        String base;
        if (lower.startsWith("rtsp://")) {
            int slash = target.indexOf('/', 7);
            base = slash < 0 ? target : target.substring(0, slash);
            path = slash < 0 ? "/" : target.substring(slash);
        } else if (target.startsWith("/")) {
            base = "";
            path = target;
        } else {
            throw new RtspException(400, "request URL is neither rtsp:// nor a path: " + target);
        }
        int q = path.indexOf('?');
        String query = null;
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        boolean track = false;
        if (path.endsWith("/" + TRACK)) {
            track = true;
            path = path.substring(0, path.length() - TRACK.length() - 1);
        }
        return new RtspUrl(base, path, track, query);
    }

    /** The aggregate URL of the content, with a trailing slash as Content-Base wants it (and the query). */
    String contentBase() {
        return base + contentPath + "/" + repeatedQuery();
    }

    /** The track's control URL (SETUP's target, RTP-Info's url). */
    String trackUrl() {
        return base + contentPath + "/" + TRACK + repeatedQuery();
    }

    /**
     * The SDP's control attribute of the track: relative, unless there is a query to repeat; then absolute, as
     * players append a relative one to the Content-Base, query and all.
     */
    String trackControl() {
        return repeatedQuery().isEmpty() ? TRACK : trackUrl();
    }

    /** "?query" when the URL has one we can repeat (and an absolute base to repeat it in), else "". */
    private String repeatedQuery() {
        return query != null && !base.isEmpty() && REPEATABLE.matcher(query).matches() ? "?" + query : "";
    }
}
