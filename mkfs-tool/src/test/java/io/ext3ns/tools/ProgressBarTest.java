package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void redrawsOnlyWhenThePercentMovesAndEndsTheLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), "Writing");
        for (int g = 1; g <= 400; g++) {
            bar.update(g, 400);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(101, out.chars().filter(c -> c == '\r').count(), "one redraw per percent, 0 to 100");
        assertTrue(out.endsWith("100% (400/400 groups)" + System.lineSeparator()), out);
    }
}
