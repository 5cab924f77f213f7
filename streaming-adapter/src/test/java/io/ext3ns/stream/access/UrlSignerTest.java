package io.ext3ns.stream.access;

import io.ext3ns.stream.access.UrlSigner.Encoding;
import io.ext3ns.stream.access.UrlSigner.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The signer and verifier: the signed bytes are exactly path '|' exp (checked against the JDK's HMAC computed
 * here), hex and base64url both verify, expiry is inclusive of exp, any changed byte is refused, and the sub-path
 * rule grants a title's playlists and a folder's tree but nothing beside them.
 */
class UrlSignerTest {
    private static final byte[] KEY = "0123456789abcdef-test-key".getBytes(StandardCharsets.US_ASCII);
    private static final UrlSigner SIGNER = new UrlSigner(KEY);
    private static final long EXP = 1_900_000_000L;

    private static String query(String path, long exp, Encoding e) {
        return SIGNER.signedQuery(path, exp, e);
    }

    private static String sigOf(String query) {
        return query.substring(query.indexOf("sig=") + 4);
    }

    @Test
    void theSignatureIsHmacSha256OfThePathABarAndTheExpDigits() throws Exception {
        String path = "/movies/Mon film é.ts";
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal((path + "|" + EXP).getBytes(StandardCharsets.UTF_8)));
        assertEquals("exp=" + EXP + "&sig=" + expected, query(path, EXP, Encoding.HEX));
        String b64 = sigOf(query(path, EXP, Encoding.BASE64URL));
        assertEquals(43, b64.length());
        assertEquals(expected, HexFormat.of().formatHex(java.util.Base64.getUrlDecoder().decode(b64)));
    }

    @Test
    void hexAndBase64UrlVerifyUntilAndIncludingExp() {
        for (Encoding e : Encoding.values()) {
            String q = query("/a.ts", EXP, e);
            assertEquals(Verdict.GRANTED, SIGNER.verify("/a.ts", q, EXP - 3600), e.name());
            assertEquals(Verdict.GRANTED, SIGNER.verify("/a.ts", q, EXP), e.name());
            assertEquals(Verdict.EXPIRED, SIGNER.verify("/a.ts", q, EXP + 1), e.name());
        }
        String hex = sigOf(query("/a.ts", EXP, Encoding.HEX));
        assertEquals(Verdict.GRANTED, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig="
                + hex.toUpperCase(Locale.ROOT), EXP), "upper-case hex");
        String b64 = sigOf(query("/a.ts", EXP, Encoding.BASE64URL));
        assertEquals(Verdict.GRANTED, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig=" + b64 + "=", EXP), "padded");
        assertEquals(Verdict.GRANTED, SIGNER.verify("/a.ts", "sig=" + hex + "&foo=bar&exp=" + EXP, EXP),
                "any order, other parameters ignored");
    }

    @Test
    void tamperedPathsExpsAndSignaturesAreRefused() {
        String q = query("/a.ts", EXP, Encoding.HEX);
        String sig = sigOf(q);
        assertEquals(Verdict.WRONG, SIGNER.verify("/b.ts", q, 0));
        assertEquals(Verdict.WRONG, SIGNER.verify("/a.tsx", q, 0));
        assertEquals(Verdict.WRONG, SIGNER.verify("/A.ts", q, 0));
        assertEquals(Verdict.WRONG, SIGNER.verify("//a.ts", q, 0));
        assertEquals(Verdict.WRONG, SIGNER.verify("/a.ts", "exp=" + (EXP + 1) + "&sig=" + sig, 0), "exp moved");
        assertEquals(Verdict.WRONG, SIGNER.verify("/a.ts", "exp=0" + EXP + "&sig=" + sig, 0), "exp re-written");
        char last = sig.charAt(sig.length() - 1);
        String flipped = sig.substring(0, sig.length() - 1) + (last == '0' ? '1' : '0');
        assertEquals(Verdict.WRONG, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig=" + flipped, 0));
        assertEquals(Verdict.WRONG, new UrlSigner("another-key-of-16-bytes".getBytes(StandardCharsets.US_ASCII))
                .verify("/a.ts", q, 0), "another secret");
        // an expired token that was tampered with is "wrong", not "expired": time is only told of genuine tokens
        assertEquals(Verdict.WRONG, SIGNER.verify("/b.ts", q, EXP + 1));
    }

    @Test
    void missingAndMalformedTokens() {
        String sig = sigOf(query("/a.ts", EXP, Encoding.HEX));
        assertEquals(Verdict.MISSING, SIGNER.verify("/a.ts", null, 0));
        assertEquals(Verdict.MISSING, SIGNER.verify("/a.ts", "", 0));
        assertEquals(Verdict.MISSING, SIGNER.verify("/a.ts", "exp=" + EXP, 0));
        assertEquals(Verdict.MISSING, SIGNER.verify("/a.ts", "sig=" + sig, 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig=" + sig + "&sig=" + sig, 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=" + EXP + "&exp=" + EXP + "&sig=" + sig, 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=-1&sig=" + sig, 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=+" + EXP + "&sig=" + sig, 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=99999999999999999999&sig=" + sig, 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=&sig=" + sig, 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig=" + sig.substring(2), 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig=" + "g".repeat(64), 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig=" + "*".repeat(43), 0));
        assertEquals(Verdict.MALFORMED, SIGNER.verify("/a.ts", "exp=" + EXP + "&sig=", 0));
    }

    @Test
    void aSignatureGrantsItsPathAndWhatIsBelowItOnly() {
        String title = query("/movies/a.ts", EXP, Encoding.HEX);
        for (String granted : new String[]{"/movies/a.ts", "/movies/a.ts/index.m3u8", "/movies/a.ts/iframes.m3u8",
                "/movies/a.ts/master.m3u8", "/movies/a.ts/", "/movies/a.ts/trackID=0"}) {
            assertEquals(Verdict.GRANTED, SIGNER.verify(granted, title, EXP), granted);
        }
        for (String refused : new String[]{"/movies", "/movies/", "/movies/a.tsx", "/movies/a.ts.m3u8",
                "/movies/b.ts", "/", "/other/movies/a.ts"}) {
            assertEquals(Verdict.WRONG, SIGNER.verify(refused, title, EXP), refused);
        }
        String folder = query("/movies", EXP, Encoding.BASE64URL);
        assertEquals(Verdict.GRANTED, SIGNER.verify("/movies/a.ts", folder, EXP));
        assertEquals(Verdict.GRANTED, SIGNER.verify("/movies/x/y/z.ts/index.m3u8", folder, EXP));
        assertEquals(Verdict.WRONG, SIGNER.verify("/movies2/a.ts", folder, EXP));
        String root = query("/", EXP, Encoding.HEX);
        assertEquals(Verdict.GRANTED, SIGNER.verify("/", root, EXP));
        assertEquals(Verdict.WRONG, SIGNER.verify("/a.ts", root, EXP), "a signature for / is not a wildcard");
        // a deep path is one pass: every ancestor is tried, the right one found
        String deep = "/d".repeat(1500) + "/a.ts";
        assertEquals(Verdict.GRANTED, SIGNER.verify(deep + "/index.m3u8", query(deep, EXP, Encoding.HEX), EXP));
        assertEquals(Verdict.GRANTED, SIGNER.verify(deep, query("/d/d", EXP, Encoding.HEX), EXP));
    }

    @Test
    void pathsAreSignedDecodedSoAnyEncodingOfTheSameNameVerifies() throws Exception {
        String name = "/Mon film/été & co+1.ts";
        String q = query(name, EXP, Encoding.HEX);
        for (String encoded : new String[]{"/Mon%20film/%C3%A9t%C3%A9%20%26%20co%2B1.ts",
                "/Mon%20film/%c3%a9t%c3%a9%20&%20co+1.ts"}) {
            String decoded = io.ext3ns.stream.content.ContentResolver.decode(encoded);
            assertEquals(Verdict.GRANTED, SIGNER.verify(decoded, q, EXP), encoded);
        }
        assertEquals(Verdict.WRONG, SIGNER.verify("/Mon%20film/%C3%A9t%C3%A9%20%26%20co%2B1.ts", q, EXP),
                "the encoded form is not what is signed");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UrlSigner(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> SIGNER.signedQuery("a.ts", EXP, Encoding.HEX));
        assertThrows(IllegalArgumentException.class, () -> SIGNER.signedQuery("/a.ts", -1, Encoding.HEX));
        assertEquals("UrlSigner[HMAC-SHA256]", SIGNER.toString());
    }
}
