package io.ext3ns.stream.http;

/**
 * A single byte range of a GET (RFC 9110 14.1.2): "bytes=a-b", "bytes=a-" or the suffix "bytes=-n", resolved
 * against the file size. A header this server does not understand, or that asks for several ranges, is ignored
 * (the whole file is sent, which the RFC allows); a syntactically valid range that starts past the end is
 * unsatisfiable (416).
 */
record ByteRange(long first, long last) {

    /** Thrown for a valid range that no byte of the file satisfies. */
    static final class Unsatisfiable extends Exception {
        Unsatisfiable(String message) {
            super(message);
        }
    }

    long length() {
        return last - first + 1;
    }

    /** Digits as a number, a number too large for a long taken as the largest (a last byte past any file). */
    private static long parseClamped(String digits) {
        if (digits.isEmpty() || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new NumberFormatException(digits);
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The range asked for, or null to send the whole file. */
    static ByteRange parse(String header, long size) throws Unsatisfiable {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String a = spec.substring(0, dash).trim();
        String b = spec.substring(dash + 1).trim();
        try {
            if (a.isEmpty()) {
                if (b.isEmpty()) {
                    return null;
                }
                long suffix = parseClamped(b);
                if (suffix <= 0 || size == 0) {
                    throw new Unsatisfiable("empty suffix range");
                }
                return new ByteRange(Math.max(0, size - suffix), size - 1);
            }
            long first = parseClamped(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : parseClamped(b);
            if (first < 0 || last < first) {
                return null;
            }
            if (first >= size) {
                throw new Unsatisfiable("range starts at " + first + ", file has " + size + " bytes");
            }
            return new ByteRange(first, Math.min(last, size - 1));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
