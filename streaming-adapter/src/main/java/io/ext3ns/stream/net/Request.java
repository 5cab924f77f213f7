package io.ext3ns.stream.net;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed RTSP or HTTP request: request line, headers (names lower-cased, first value wins when looked up) and
 * body.
 */
public record Request(String method, String target, String version, List<Map.Entry<String, String>> headers,
                      byte[] body) {

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equals(lower)) {
                return h.getValue();
            }
        }
        return null;
    }
}
