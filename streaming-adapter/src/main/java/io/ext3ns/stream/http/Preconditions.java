package io.ext3ns.stream.http;

import io.ext3ns.stream.net.Request;

/**
 * The conditional request headers of RFC 9110 13, evaluated in its order (13.2.2) against a file's ETag and
 * modification time (whole seconds, as Last-Modified says it): If-Match, If-Unmodified-Since, If-None-Match,
 * If-Modified-Since, and If-Range, which decides whether a Range is honoured.
 */
final class Preconditions {
    /** What a GET or HEAD does: send the representation, or answer 412 or 304 instead. */
    enum Outcome { PROCEED, PRECONDITION_FAILED, NOT_MODIFIED }

    private Preconditions() {
    }

    static Outcome evaluate(Request r, String etag, long modifiedSeconds) {
        String ifMatch = r.header("If-Match");
        if (ifMatch != null) {
            if (!matches(ifMatch, etag, false)) {
                return Outcome.PRECONDITION_FAILED;
            }
        } else {
            Long since = date(r.header("If-Unmodified-Since"));
            if (since != null && modifiedSeconds > since) {
                return Outcome.PRECONDITION_FAILED;
            }
        }
        String ifNoneMatch = r.header("If-None-Match");
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag, true)) {
                return Outcome.NOT_MODIFIED;
            }
        } else {
            Long since = date(r.header("If-Modified-Since"));
            if (since != null && modifiedSeconds <= since) {
                return Outcome.NOT_MODIFIED;
            }
        }
        return Outcome.PROCEED;
    }

    /**
     * Whether a Range may be honoured: yes without If-Range; with it only if it names the current representation
     * (strong ETag comparison, or exactly the Last-Modified date). Otherwise the whole file goes out (200), so a
     * resumed download never splices old bytes with new ones.
     */
    static boolean rangeApplies(Request r, String etag, long modifiedSeconds) {
        String ifRange = r.header("If-Range");
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.trim();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            return v.equals(etag); // a weak tag never matches (13.1.5)
        }
        Long date = date(v);
        return date != null && date == modifiedSeconds;
    }

    /** Whether the list {@code header} ("*" or entity tags) matches {@code etag}; weak comparison if asked. */
    private static boolean matches(String header, String etag, boolean weak) {
        for (String tag : header.split(",")) {
            String t = tag.trim();
            if (t.equals("*")) {
                return true;
            }
            if (weak && t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static Long date(String header) {
        return header == null ? null : HttpDate.parseSeconds(header);
    }
}
