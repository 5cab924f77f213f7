package io.ext3ns.stream.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RequestParserTest {
    private final RequestParser parser = new RequestParser(1024, 8);

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void parsesPipelinedRequestsWithBodiesAndWaitsForMissingBytes() throws Exception {
        ByteBuffer in = bytes("GET_PARAMETER rtsp://h/a.ts RTSP/1.0\r\nCSeq: 3\r\nContent-Length: 4\r\n\r\nabcd"
                + "OPTIONS * RTSP/1.0\nCSeq: 4\n\nPLAY rtsp://h/a RTSP/1.0\r\nCSe");
        Request first = parser.parse(in);
        assertEquals("GET_PARAMETER", first.method());
        assertEquals("3", first.header("cseq"));
        assertArrayEquals("abcd".getBytes(StandardCharsets.US_ASCII), first.body());
        Request second = parser.parse(in);
        assertEquals("OPTIONS", second.method());
        assertEquals("4", second.header("CSeq"));
        int before = in.position();
        assertNull(parser.parse(in));
        assertEquals(before, in.position(), "an incomplete request is left in the buffer");
    }

    @Test
    void refusesGarbageOversizedHeadsAndTooManyHeaders() {
        assertEquals(400, assertThrows(RequestParser.BadRequest.class,
                () -> parser.parse(bytes("\u0000\u0001garbage\r\n\r\n"))).status());
        assertEquals(400, assertThrows(RequestParser.BadRequest.class,
                () -> parser.parse(bytes("OPTIONS * RTSP/1.0\r\nX: " + "a".repeat(2000)))).status());
        StringBuilder many = new StringBuilder("OPTIONS * RTSP/1.0\r\n");
        for (int i = 0; i < 9; i++) {
            many.append("H").append(i).append(": v\r\n");
        }
        assertEquals(400, assertThrows(RequestParser.BadRequest.class,
                () -> parser.parse(bytes(many + "\r\n"))).status());
        assertEquals(413, assertThrows(RequestParser.BadRequest.class,
                () -> parser.parse(bytes("SET_PARAMETER * RTSP/1.0\r\nContent-Length: 99999\r\n\r\n"))).status());
        assertEquals(400, assertThrows(RequestParser.BadRequest.class,
                () -> parser.parse(bytes("GET / SMTP/1.0\r\n\r\n"))).status());
        assertEquals(400, assertThrows(RequestParser.BadRequest.class,
                () -> parser.parse(bytes("GET / HTTP/1.1\r\n continued: x\r\n\r\n"))).status());
    }

    @Test
    void linesMayEndInBareCrOrLfAndEmptyLinesBeforeARequestAreSkipped() throws Exception {
        ByteBuffer in = bytes("OPTIONS * RTSP/1.0\rCSeq: 1\rUser-Agent: cr\r\r" + "\r\nDESCRIBE /a RTSP/1.0\nCSeq: 2\n\n");
        Request first = parser.parse(in);
        assertEquals("OPTIONS", first.method());
        assertEquals("1", first.header("CSeq"));
        assertEquals("cr", first.header("User-Agent"));
        Request second = parser.parse(in);
        assertEquals("DESCRIBE", second.method());
        assertEquals("2", second.header("CSeq"));
        // a CRLF head whose last CR is the last byte so far waits for its LF (else the LF would become body)
        ByteBuffer split = bytes("SET_PARAMETER * RTSP/1.0\r\nContent-Length: 2\r\n\r");
        assertNull(parser.parse(split));
        assertEquals(0, split.position());
    }

    @Test
    void aNegativeContentLengthIsMalformed() {
        assertEquals(400, assertThrows(RequestParser.BadRequest.class,
                () -> parser.parse(bytes("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n"))).status());
    }
}
