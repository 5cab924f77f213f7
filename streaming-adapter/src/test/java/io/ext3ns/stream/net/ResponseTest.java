package io.ext3ns.stream.net;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Status lines carry the reason phrase of their protocol's RFC (RFC 2326 7.1.1, RFC 9110 15). */
class ResponseTest {
    private static String statusLine(String protocol, int status) {
        String text = StandardCharsets.ISO_8859_1.decode(new Response(protocol, status).toBuffer()).toString();
        return text.substring(0, text.indexOf("\r\n"));
    }

    @Test
    void reasonPhrases() {
        assertEquals("RTSP/1.0 415 Unsupported Media Type", statusLine("RTSP/1.0", 415));
        assertEquals("RTSP/1.0 551 Option not supported", statusLine("RTSP/1.0", 551));
        assertEquals("RTSP/1.0 461 Unsupported Transport", statusLine("RTSP/1.0", 461));
        assertEquals("RTSP/1.0 505 RTSP Version Not Supported", statusLine("RTSP/1.0", 505));
        assertEquals("RTSP/1.0 408 Request Time-out", statusLine("RTSP/1.0", 408));
        assertEquals("HTTP/1.1 412 Precondition Failed", statusLine("HTTP/1.1", 412));
        assertEquals("HTTP/1.1 304 Not Modified", statusLine("HTTP/1.1", 304));
        assertEquals("HTTP/1.1 505 HTTP Version Not Supported", statusLine("HTTP/1.1", 505));
        assertThrows(IllegalArgumentException.class, () -> new Response("HTTP/1.1", 299), "no made-up phrase");
    }

    @Test
    void aNotModifiedAnswerHasNoBodyAndNoLength() {
        String text = StandardCharsets.ISO_8859_1.decode(new Response("HTTP/1.1", 304).header("ETag", "\"x\"")
                .withoutBody().toBuffer()).toString();
        assertTrue(text.endsWith("ETag: \"x\"\r\n\r\n") && !text.contains("Content-Length"), text);
    }
}
