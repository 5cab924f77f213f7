package io.ext3ns.fs.util.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** Each event is one line holding one JSON object whose strings decode back to exactly what was logged. */
class JsonLoggerTest {
    private final List<String> lines = new ArrayList<>();
    private final Logger log = new JsonLoggerFactory(lines::add, "info").getLogger("io.ext3ns.test.Thing");

    @Test
    void fieldsAndFormattedMessage() {
        log.info("mounted {} on {}", "/a,/b", "/srv/media");
        assertEquals(1, lines.size());
        assertTrue(lines.get(0).endsWith("}\n") && lines.get(0).indexOf('\n') == lines.get(0).length() - 1);
        Map<String, String> o = JsonLine.parse(lines.get(0));
        assertEquals(List.of("ts", "level", "thread", "logger", "msg"), List.copyOf(o.keySet()));
        assertEquals("INFO", o.get("level"));
        assertEquals("io.ext3ns.test.Thing", o.get("logger"));
        assertEquals(Thread.currentThread().getName(), o.get("thread"));
        assertEquals("mounted /a,/b on /srv/media", o.get("msg"));
        assertTrue(o.get("ts").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"), o.get("ts"));
    }

    @Test
    void quotesLineFeedsAndControlCharactersStayInsideOneLine() {
        String nasty = "a \"quoted\" \\path\\ with\nline feed, tab\t, bell\u0007 and é";
        log.warn(nasty);
        assertEquals(1, lines.size());
        assertEquals(1, lines.get(0).split("\n", -1).length - 1, "exactly one line feed, at the end");
        assertEquals(nasty, JsonLine.parse(lines.get(0)).get("msg"));
        assertEquals("WARN", JsonLine.parse(lines.get(0)).get("level"));
    }

    @Test
    void aThrowableBecomesTheErrorField() {
        log.error("write failed on {}", "/f", new java.io.IOException("no space"));
        Map<String, String> o = JsonLine.parse(lines.get(0));
        assertEquals("write failed on /f", o.get("msg"));
        assertTrue(o.get("error").startsWith("java.io.IOException: no space\n\tat "), o.get("error"));
    }

    @Test
    void levelsBelowTheThresholdAreDropped() {
        log.debug("not shown");
        log.trace("not shown");
        assertEquals(List.of(), lines);
        List<String> debug = new ArrayList<>();
        new JsonLoggerFactory(debug::add, "DEBUG").getLogger("x").debug("shown");
        assertEquals("shown", JsonLine.parse(debug.get(0)).get("msg"));
    }
}
