package io.ext3ns.stream.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The origin options as the mount and ext3ns-serve take them, and the xattr that marks a title's state. */
class OriginConfigTest {
    @Test
    void defaultsAndEveryField(@TempDir Path dir) throws Exception {
        OriginConfig http = OriginConfig.fromOptions(Map.of("origin", "http://cdn.example/vod/"));
        assertEquals(90, http.highPercent());
        assertEquals(80, http.lowPercent());
        assertEquals(Duration.ofSeconds(60), http.revalidate());
        assertTrue(http.prefix());
        assertNull(http.endpoint());
        Path cred = dir.resolve("cred");
        Files.writeString(cred, "# edge\n[default]\naws_access_key_id = AK\naws_secret_access_key = SK\n");
        OriginConfig s3 = OriginConfig.fromOptions(Map.of("origin", "s3://bucket/prefix", "origin_endpoint",
                "http://127.0.0.1:9000", "origin_region", "eu-west-1", "origin_credentials", cred.toString(),
                "origin_high", "70", "origin_low", "50", "origin_revalidate", "0", "origin_prefix", "off"));
        assertEquals("bucket", s3.url().getHost());
        assertEquals(70, s3.highPercent());
        assertEquals(50, s3.lowPercent());
        assertEquals(Duration.ZERO, s3.revalidate());
        assertFalse(s3.prefix());
        assertEquals("AK", OriginConfig.readCredentials(cred).accessKeyId());
        assertEquals("SK", OriginConfig.readCredentials(cred).secretAccessKey());
    }

    @Test
    void badOptionsAreRefusedWithTheirName(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> OriginConfig.fromOptions(Map.of()));
        for (Map<String, String> bad : new Map[] {
                Map.of("origin", "ftp://x/"), Map.of("origin", "s3:///nobucket"), Map.of("origin", "not a url"),
                Map.of("origin", "http://x/", "origin_endpoint", "http://y/"),
                Map.of("origin", "http://x/", "origin_high", "101"),
                Map.of("origin", "http://x/", "origin_high", "50", "origin_low", "50"),
                Map.of("origin", "http://x/", "origin_low", "-1"),
                Map.of("origin", "http://x/", "origin_revalidate", "soon"),
                Map.of("origin", "http://x/", "origin_prefix", "maybe")}) {
            assertThrows(IllegalArgumentException.class, () -> OriginConfig.fromOptions(bad), bad.toString());
        }
        Path cred = dir.resolve("cred");
        Files.writeString(cred, "aws_access_key_id=AK\n");
        assertThrows(java.io.IOException.class, () -> OriginConfig.readCredentials(cred), "no secret");
    }

    @Test
    void titleStateRoundTripsAndRefusesForeignValues() {
        TitleState partial = new TitleState(false, new OriginObject(5, "\"e t\"", 7).validator());
        assertEquals(partial, TitleState.decode(partial.encode()));
        assertEquals("etag=\"e_t\";size=5;mtime=7", partial.validator());
        assertTrue(TitleState.decode(new TitleState(true, "v").encode()).complete());
        assertNull(TitleState.decode("loaded by hand".getBytes()));
        assertNull(TitleState.decode("complete".getBytes()));
        assertNull(TitleState.decode(new byte[2000]));
        assertThrows(IllegalArgumentException.class, () -> new OriginObject(-1, "", 0));
    }
}
