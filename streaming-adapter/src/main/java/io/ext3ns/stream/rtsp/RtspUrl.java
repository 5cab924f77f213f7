package io.ext3ns.stream.rtsp;

import java.util.Locale;

/**
 * The parts of a request URL the server uses: "rtsp://host[:port]/path[/trackID=0]". The content path stays
 * percent-encoded (the resolver decodes it once); the track suffix our SDP advertises is split off.
 */
record RtspUrl(String base, String contentPath, boolean track) {
    static final String TRACK = "trackID=0";

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
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        boolean track = false;
        if (path.endsWith("/" + TRACK)) {
            track = true;
            path = path.substring(0, path.length() - TRACK.length() - 1);
        }
        return new RtspUrl(base, path, track);
    }

    /** The aggregate URL of the content, with a trailing slash as Content-Base wants it. */
    String contentBase() {
        return base + contentPath + "/";
    }
}
