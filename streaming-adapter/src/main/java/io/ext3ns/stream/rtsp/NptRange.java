package io.ext3ns.stream.rtsp;

import java.util.Locale;

/**
 * The start of a PLAY Range header in normal play time (RFC 2326 3.6), parsed the way players send it rather than
 * only the way the RFC spells it: "npt=0-", "npt=0.000-", "npt=5.5-", "npt=5-10", "npt=now-", "npt=0:01:05.2-",
 * and "5.5-" without the "npt=" prefix. Other time formats (smpte, clock) are refused as an invalid range (457).
 */
final class NptRange {
    /** Returned by {@link #startSeconds} when the range has no start ("now" or "-10"): play from where it is. */
    static final double NO_START = -1;
    /** Returned by {@link #endSeconds} when the range is open-ended: play to the end. */
    static final double NO_END = -1;

    private NptRange() {
    }

    static double startSeconds(String header) throws RtspException {
        String value = header.trim();
        int semicolon = value.indexOf(';'); // ";time=..." is not supported: start at once
        if (semicolon >= 0) {
            value = value.substring(0, semicolon).trim();
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("npt")) {
            int eq = value.indexOf('=');
            if (eq < 0) {
                throw new RtspException(457, "malformed Range: " + header);
            }
            value = value.substring(eq + 1).trim();
        } else if (lower.startsWith("smpte") || lower.startsWith("clock")) {
            throw new RtspException(457, "only npt ranges are supported: " + header);
        }
        int dash = value.indexOf('-');
        String start = (dash < 0 ? value : value.substring(0, dash)).trim();
        if (start.isEmpty() || start.equalsIgnoreCase("now")) {
            return NO_START;
        }
        double seconds = parseTime(start, header);
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new RtspException(457, "invalid Range start: " + header);
        }
        return seconds;
    }

    /** The end of an npt range ("npt=5-8" gives 8), or {@link #NO_END}; the header was checked by startSeconds. */
    static double endSeconds(String header) throws RtspException {
        String value = header.trim();
        int semicolon = value.indexOf(';');
        if (semicolon >= 0) {
            value = value.substring(0, semicolon).trim();
        }
        int eq = value.indexOf('=');
        if (value.toLowerCase(Locale.ROOT).startsWith("npt") && eq >= 0) {
            value = value.substring(eq + 1).trim();
        }
        int dash = value.indexOf('-');
        String end = dash < 0 ? "" : value.substring(dash + 1).trim();
        if (end.isEmpty()) {
            return NO_END;
        }
        double seconds = parseTime(end, header);
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new RtspException(457, "invalid Range end: " + header);
        }
        return seconds;
    }

    /** "ss.fff" or "h:mm:ss.fff". */
    private static double parseTime(String text, String header) throws RtspException {
        try {
            String[] hms = text.split(":");
            if (hms.length == 1) {
                return Double.parseDouble(text);
            }
            if (hms.length == 3) {
                return Long.parseLong(hms[0]) * 3600 + Long.parseLong(hms[1]) * 60 + Double.parseDouble(hms[2]);
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw new RtspException(457, "malformed Range: " + header);
    }

    static String format(double startSeconds, double endSeconds) {
        return String.format(Locale.ROOT, "npt=%.3f-%.3f", startSeconds, endSeconds);
    }
}
