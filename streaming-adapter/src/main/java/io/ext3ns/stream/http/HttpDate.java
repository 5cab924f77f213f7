package io.ext3ns.stream.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** HTTP dates (RFC 9110 5.6.7): written as IMF-fixdate, read in that form only (others are ignored). */
final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private HttpDate() {
    }

    static String format(Instant t) {
        return IMF_FIXDATE.format(t);
    }

    /** Seconds since the epoch of an IMF-fixdate, or null when {@code text} is not one. */
    static Long parseSeconds(String text) {
        try {
            return Instant.from(IMF_FIXDATE.parse(text.trim())).getEpochSecond();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
