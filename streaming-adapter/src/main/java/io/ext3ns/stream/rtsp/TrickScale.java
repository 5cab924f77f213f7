package io.ext3ns.stream.rtsp;

import java.util.Locale;

/**
 * The RTSP {@code Scale} header (RFC 2326 12.34): the viewing rate a PLAY asks for. We play whole numbers from -16
 * to 16 but 0 (1 is normal play; others send key frames only, backward when negative); any other value is answered
 * with the nearest of those, as 12.34 allows and live555 does (it rounds to an integer), and the reply's Scale says
 * which. 0 asks for no progress at all (PAUSE does that) and is refused with 456.
 */
final class TrickScale {
    /** Largest |Scale| played. */
    static final int MAX = 16;

    private TrickScale() {
    }

    /** The scale to play at: the header's value rounded to a whole number, kept within ±{@link #MAX}, never 0. */
    static int parse(String header) throws RtspException {
        double value;
        try {
            value = Double.parseDouble(header.trim());
        } catch (NumberFormatException e) {
            throw new RtspException(400, "malformed Scale: " + header.trim());
        }
        if (Double.isNaN(value) || header.trim().toLowerCase(Locale.ROOT).matches(".*[a-z].*")) {
            throw new RtspException(400, "malformed Scale: " + header.trim()); // "Infinity", "1e3f", hex floats
        }
        if (value == 0) {
            throw new RtspException(456, "Scale 0 is not a playing speed (use PAUSE)");
        }
        long rounded = Math.round(Math.abs(value)); // half away from zero
        int magnitude = (int) Math.max(1, Math.min(MAX, rounded));
        return value < 0 ? -magnitude : magnitude;
    }

    /** The header value for {@code scale} (an integer is a valid Scale in RFC 2326's grammar). */
    static String format(int scale) {
        return Integer.toString(scale);
    }
}
