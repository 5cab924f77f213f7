package io.ext3ns.stream.access;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CORS policy: off adds nothing, "*" grants all, a list grants its origins and varies on Origin. */
class CorsPolicyTest {
    @Test
    void offAddsNoHeaders() {
        for (CorsPolicy off : new CorsPolicy[]{CorsPolicy.OFF, CorsPolicy.parse(null), CorsPolicy.parse(" ")}) {
            assertFalse(off.enabled());
            assertEquals(Map.of(), off.responseHeaders("https://a.example"));
            assertEquals(Map.of(), off.preflightHeaders("https://a.example"));
        }
    }

    @Test
    void anyOriginGetsAStarWithOrWithoutAnOrigin() {
        CorsPolicy any = CorsPolicy.parse("*");
        assertEquals(Map.of("Access-Control-Allow-Origin", "*", "Access-Control-Expose-Headers",
                CorsPolicy.EXPOSE_HEADERS), any.responseHeaders(null));
        assertEquals("*", any.responseHeaders("https://x.example").get("Access-Control-Allow-Origin"));
        Map<String, String> pre = any.preflightHeaders("https://x.example");
        assertEquals("GET, HEAD, OPTIONS", pre.get("Access-Control-Allow-Methods"));
        assertTrue(pre.get("Access-Control-Allow-Headers").startsWith("Range, "));
        assertEquals("86400", pre.get("Access-Control-Max-Age"));
    }

    @Test
    void aListGrantsItsOriginsOnlyAndVaries() {
        CorsPolicy list = CorsPolicy.parse("https://a.example  HTTP://B.example:8443");
        assertEquals("https://a.example http://b.example:8443", list.spec());
        Map<String, String> a = list.responseHeaders("https://a.example");
        assertEquals("https://a.example", a.get("Access-Control-Allow-Origin"));
        assertEquals("Origin", a.get("Vary"));
        assertEquals("http://b.example:8443",
                list.responseHeaders("http://b.example:8443").get("Access-Control-Allow-Origin"));
        assertEquals(Map.of("Vary", "Origin"), list.responseHeaders("https://evil.example"));
        assertEquals(Map.of("Vary", "Origin"), list.responseHeaders(null));
        assertEquals(Map.of(), list.preflightHeaders("https://evil.example"));
        assertEquals(3, list.preflightHeaders("https://a.example").size());
    }

    @Test
    void whatIsNotAnOriginIsRefused() {
        for (String bad : new String[]{"null", "a.example", "https://a.example/", "https://a.example/path",
                "* https://a.example", "https://"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CorsPolicy.parse(bad),
                    bad);
            assertTrue(e.getMessage().contains("not * or scheme://host[:port]"), e.getMessage());
        }
    }
}
