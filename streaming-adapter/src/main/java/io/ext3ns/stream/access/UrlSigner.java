package io.ext3ns.stream.access;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Signed URLs as CDNs issue them: {@code PATH?exp=UNIX_TIME&sig=SIG}, where SIG is HMAC-SHA256 keyed with the
 * server's secret over the bytes of the URL-decoded absolute path (UTF-8), one '|', and the {@code exp} digits as
 * they appear in the URL; SIG is written in hex (64 digits, either case) or base64url (43 characters, one '='
 * of padding allowed). The same class signs (ext3ns-sign) and verifies (the HTTP and RTSP servers), so the two
 * cannot disagree.
 *
 * <p>A signature for a path grants that path and every path below it: one for {@code /movies/a.ts} also grants
 * {@code /movies/a.ts/index.m3u8} (the HLS playlists of the title), one for {@code /movies} the whole folder. A
 * request is granted when the signature matches its own path or any ancestor of it that ends before a '/' (not the
 * empty one: a signature for "/" grants only "/"), and {@code exp} is not yet past. Comparisons are constant-time.
 */
public final class UrlSigner {
    static final String ALGORITHM = "HmacSHA256";
    static final int SIG_BYTES = 32;
    /** Longest {@code exp} accepted: 19 digits always fit a long once overflow is checked. */
    private static final int MAX_EXP_DIGITS = 19;

    /** How {@link #sign} writes the signature. */
    public enum Encoding { HEX, BASE64URL }

    /** What {@link #verify} decided; everything but GRANTED is a 403. */
    public enum Verdict {
        GRANTED("granted"),
        MISSING("signed URL required: no exp and sig in the query"),
        MALFORMED("malformed exp or sig"),
        WRONG("signature does not match"),
        EXPIRED("signed URL expired");

        private final String reason;

        Verdict(String reason) {
            this.reason = reason;
        }

        /** The text a refusal carries. */
        public String reason() {
            return reason;
        }
    }

    private final SecretKeySpec key;

    /** A signer keyed with {@code secret} (copied); see {@link UrlSecret} for reading one from a file. */
    public UrlSigner(byte[] secret) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("empty URL secret");
        }
        this.key = new SecretKeySpec(secret, ALGORITHM);
    }

    /** The query that signs {@code path} (URL-decoded, absolute) until {@code exp}: "exp=EXP&sig=SIG". */
    public String signedQuery(String path, long exp, Encoding encoding) {
        requireAbsolute(path);
        if (exp < 0) {
            throw new IllegalArgumentException("exp must not be negative: " + exp);
        }
        String digits = Long.toString(exp);
        byte[] sig = finish(macOver(io.ext3ns.fs.util.FileNames.encode(path)), digits);
        String text = encoding == Encoding.HEX ? HexFormat.of().formatHex(sig)
                : Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        return "exp=" + digits + "&sig=" + text;
    }

    /**
     * Whether {@code query} (the raw query of the request URL, without '?', or null) holds a signature of
     * {@code path} (URL-decoded, absolute) or of one of its ancestors that has not expired at {@code nowSeconds}.
     * The signature is checked before the time, so "expired" is only said of a genuine token.
     */
    public Verdict verify(String path, String query, long nowSeconds) {
        requireAbsolute(path);
        String exp = null;
        String sig = null;
        if (query != null) {
            for (String param : query.split("&", -1)) {
                int eq = param.indexOf('=');
                String name = eq < 0 ? param : param.substring(0, eq);
                String value = eq < 0 ? "" : param.substring(eq + 1);
                if (name.equals("exp")) {
                    if (exp != null) {
                        return Verdict.MALFORMED; // two values: a proxy might have read the other one
                    }
                    exp = value;
                } else if (name.equals("sig")) {
                    if (sig != null) {
                        return Verdict.MALFORMED;
                    }
                    sig = value;
                }
            }
        }
        if (exp == null || sig == null) {
            return Verdict.MISSING;
        }
        long expires = parseExp(exp);
        byte[] given = decodeSig(sig);
        if (expires < 0 || given == null) {
            return Verdict.MALFORMED;
        }
        if (!matchesPathOrAncestor(io.ext3ns.fs.util.FileNames.encode(path), exp, given)) {
            return Verdict.WRONG;
        }
        return nowSeconds > expires ? Verdict.EXPIRED : Verdict.GRANTED;
    }

    /**
     * One pass over the path: the MAC state at each '/' is copied and finished with "|exp", so a deep path costs
     * one HMAC of its length plus one finish per ancestor, not one HMAC per ancestor.
     */
    private boolean matchesPathOrAncestor(byte[] path, String exp, byte[] given) {
        Mac mac = newMac();
        boolean granted = false;
        int done = 0;
        for (int i = 1; i <= path.length; i++) {
            if (i < path.length && path[i] != '/') {
                continue;
            }
            mac.update(path, done, i - done);
            done = i;
            Mac candidate = i == path.length ? mac : copy(mac, path, i);
            granted |= MessageDigest.isEqual(finish(candidate, exp), given);
        }
        return granted;
    }

    private static byte[] finish(Mac mac, String exp) {
        mac.update((byte) '|');
        mac.update(exp.getBytes(StandardCharsets.US_ASCII));
        return mac.doFinal();
    }

    private Mac macOver(byte[] bytes) {
        Mac mac = newMac();
        mac.update(bytes);
        return mac;
    }

    private Mac copy(Mac mac, byte[] path, int length) {
        try {
            return (Mac) mac.clone();
        } catch (CloneNotSupportedException e) { // a provider whose HMAC cannot be cloned: start over
            Mac fresh = newMac();
            fresh.update(path, 0, length);
            return fresh;
        }
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e); // every Java 17 runtime has it
        }
    }

    /** Decimal digits only (no sign, no spaces), at most 19 of them and within a long; else -1. */
    private static long parseExp(String text) {
        if (text.isEmpty() || text.length() > MAX_EXP_DIGITS) {
            return -1;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** 64 hex digits, or 43 base64url characters (plus at most one '='); else null. */
    static byte[] decodeSig(String text) {
        if (text.length() == 2 * SIG_BYTES) {
            try {
                return HexFormat.of().parseHex(text);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        String b64 = text.endsWith("=") ? text.substring(0, text.length() - 1) : text;
        if (b64.length() != 43 || !b64.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
                || c >= '0' && c <= '9' || c == '-' || c == '_')) {
            return null;
        }
        byte[] sig = Base64.getUrlDecoder().decode(b64);
        return sig.length == SIG_BYTES ? sig : null;
    }

    private static void requireAbsolute(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
    }

    @Override
    public String toString() {
        return "UrlSigner[HMAC-SHA256]"; // never the key
    }
}
