package io.ext3ns.stream.rtsp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TrickScaleTest {
    private static int parse(String s) throws RtspException {
        return TrickScale.parse(s);
    }

    private static int statusOf(String s) {
        return assertThrows(RtspException.class, () -> TrickScale.parse(s)).status();
    }

    @Test
    void supportedScalesAsAsked() throws RtspException {
        for (int s : new int[]{1, 2, 4, 8, 16, -1, -2, -4, -8, -16}) {
            assertEquals(s, parse(" " + s + ".0 "));
            assertEquals(s, parse(Integer.toString(s)));
        }
    }

    @Test
    void otherValuesGetTheNearestSupported() throws RtspException {
        assertEquals(2, parse("2.4"));
        assertEquals(3, parse("2.5"));
        assertEquals(-3, parse("-2.5"));
        assertEquals(1, parse("0.5"));
        assertEquals(1, parse("0.01"));
        assertEquals(-1, parse("-0.3"));
        assertEquals(16, parse("17"));
        assertEquals(-16, parse("-1000000"));
    }

    @Test
    void zeroAndGarbageAreRefused() {
        assertEquals(456, statusOf("0"));
        assertEquals(456, statusOf("-0.0"));
        for (String bad : new String[]{"", "fast", "NaN", "Infinity", "-Infinity", "4f", "0x10", "1e3", "4,0"}) {
            assertEquals(400, statusOf(bad), bad);
        }
    }
}
