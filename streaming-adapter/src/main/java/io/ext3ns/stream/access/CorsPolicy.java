package io.ext3ns.stream.access;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which web pages of other origins may read the HTTP server's answers (Fetch standard's CORS): off (the default,
 * as nginx: a page served by another site cannot read media or playlists until the operator allows it), any
 * origin ("*"), or a list of origins ("https://a.example https://b.example:8443", space-separated as in the
 * Origin header's grammar, RFC 6454 7.1). Off adds no header at all. The server's own page at "/" is same-origin
 * and needs none of this.
 */
public final class CorsPolicy {
    /** No CORS headers: browsers keep other origins' scripts from reading the answers. */
    public static final CorsPolicy OFF = new CorsPolicy(false, Set.of());
    /** Methods a preflight may ask for; also what Allow says. */
    public static final String METHODS = "GET, HEAD, OPTIONS";
    /** Request headers players send: byte ranges and the validators of a resumed or revalidated download. */
    public static final String ALLOW_HEADERS = "Range, If-Range, If-Match, If-None-Match, If-Modified-Since, "
            + "If-Unmodified-Since";
    /** Response headers a script may read beyond the safelisted ones (hls.js reads Content-Range). */
    public static final String EXPOSE_HEADERS = "Content-Length, Content-Range, Accept-Ranges";
    /** How long a browser may reuse a preflight answer (browsers cap it: Chromium at 2 h). */
    public static final int MAX_AGE_SECONDS = 86_400;
    private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://[^/?#\\s]+");

    private final boolean any;
    private final Set<String> origins;

    private CorsPolicy(boolean any, Set<String> origins) {
        this.any = any;
        this.origins = origins;
    }

    /**
     * "*", or origins separated by spaces ("scheme://host[:port]", no path), or null/blank for {@link #OFF}.
     * Throws IllegalArgumentException naming a value that is not an origin ("null" is refused: sandboxed frames
     * and files all send it).
     */
    public static CorsPolicy parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return OFF;
        }
        String s = spec.strip();
        if (s.equals("*")) {
            return new CorsPolicy(true, Set.of());
        }
        Set<String> origins = new LinkedHashSet<>();
        for (String origin : s.split("\\s+")) {
            String lower = origin.toLowerCase(Locale.ROOT);
            if (!ORIGIN.matcher(lower).matches()) {
                throw new IllegalArgumentException("CORS origin \"" + origin
                        + "\" is not * or scheme://host[:port] (no path, no trailing slash)");
            }
            origins.add(lower);
        }
        return new CorsPolicy(false, java.util.Collections.unmodifiableSet(origins));
    }

    public boolean enabled() {
        return any || !origins.isEmpty();
    }

    /** What the policy allows, as {@link #parse} reads it ("" when off). */
    public String spec() {
        return any ? "*" : String.join(" ", origins);
    }

    /**
     * Headers for any answer to a request that sent {@code origin} (null if none): Access-Control-Allow-Origin
     * and Expose-Headers when the origin is allowed, and Vary: Origin when the answer depends on it (a list).
     */
    public Map<String, String> responseHeaders(String origin) {
        Map<String, String> h = new LinkedHashMap<>();
        if (any) {
            h.put("Access-Control-Allow-Origin", "*");
        } else if (!origins.isEmpty()) {
            if (allowed(origin)) {
                h.put("Access-Control-Allow-Origin", origin.strip());
            }
            h.put("Vary", "Origin"); // caches must not hand one origin's answer to another
        }
        if (h.containsKey("Access-Control-Allow-Origin")) {
            h.put("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        }
        return h;
    }

    /** The extra headers of a preflight answer (OPTIONS with Access-Control-Request-Method) from {@code origin}. */
    public Map<String, String> preflightHeaders(String origin) {
        if (!any && !allowed(origin)) {
            return Map.of(); // no grant: the browser refuses the real request
        }
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Access-Control-Allow-Methods", METHODS);
        h.put("Access-Control-Allow-Headers", ALLOW_HEADERS);
        h.put("Access-Control-Max-Age", String.valueOf(MAX_AGE_SECONDS));
        return h;
    }

    private boolean allowed(String origin) {
        return origin != null && origins.contains(origin.strip().toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return enabled() ? "CORS " + spec() : "CORS off";
    }
}
