package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.util.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The renderer with a hand-driven clock: redraw rate, text, units, line endings, width. */
class ProgressBarTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long now;
    private final ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), 100,
            () -> now);

    private String out() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private long redraws() {
        return out().chars().filter(c -> c == '\r').count();
    }

    @Test
    void redrawsAtMostTenTimesASecondAndDrawsTheEnd() {
        bar.stage("Writing inode tables and bitmaps", Progress.Unit.GROUPS, 4000);
        for (int g = 1; g <= 4000; g++) {
            now += 1_000_000; // 1 ms per group: 4 s in all
            bar.update(g);
        }
        bar.finish();
        // the first draw, one per 100 ms for 4 s, and the final 100% (drawn at once, not held back)
        assertTrue(redraws() >= 40 && redraws() <= 42, redraws() + " redraws:\n" + out());
        String last = out().substring(out().lastIndexOf('\r') + 1);
        assertTrue(last.startsWith("Writing inode tables and bitmaps [" + "#".repeat(10)), last);
        assertTrue(last.endsWith("100% (4000/4000 groups)" + System.lineSeparator()), last);
    }

    @Test
    void redrawsOnlyWhenTheTextChanges() {
        bar.stage("Pass 5: Checking group summary information", Progress.Unit.GROUPS, 10);
        bar.update(5);
        long before = redraws();
        for (int i = 0; i < 20; i++) {
            now += 200_000_000; // long past the redraw interval, but the text stays the same
            bar.update(5);
        }
        assertEquals(before, redraws(), out());
        assertFalse(out().contains("\n"), "no line ended before the stage ends");
    }

    @Test
    void eachStageEndsItsLineAndFinishIsIdempotent() {
        List<String> titles = List.of("Pass 1: Checking inodes, blocks, and sizes", "Pass 2: Checking directory structure");
        bar.stage(titles.get(0), Progress.Unit.INODES, 16384);
        bar.update(8192);
        bar.stage(titles.get(1), Progress.Unit.DIRECTORIES, 3);
        bar.update(3);
        bar.finish();
        bar.finish();
        List<String> lines = List.of(out().split(System.lineSeparator()));
        assertEquals(2, lines.size(), out());
        String first = lines.get(0).substring(lines.get(0).lastIndexOf('\r') + 1);
        assertTrue(first.startsWith(titles.get(0)) && first.contains(" 50% (8192/16384 inodes)"), first);
        String second = lines.get(1).substring(lines.get(1).lastIndexOf('\r') + 1);
        assertTrue(second.strip().endsWith("100% (3/3 directories)"), second);
        assertTrue(out().endsWith(System.lineSeparator()));
    }

    @Test
    void bytesShowMegabytesRateEtaAndTheFileName() {
        bar.stage("Copying", Progress.Unit.BYTES, 300_000_000);
        bar.item("movies/a.mp4");
        now += 2_000_000_000L;
        bar.update(100_000_000); // 100 MB in 2 s: 50 MB/s, 200 MB left: 4 s
        String line = bar.render(now);
        assertTrue(line.contains(" 33% 100.0/300.0 MB  50.0 MB/s  ETA 0:04  movies/a.mp4"), line);
        now += 4_000_000_000L;
        bar.update(300_000_000);
        assertTrue(bar.render(now).contains("100% 300.0/300.0 MB  50.0 MB/s  in 0:06"), bar.render(now));
    }

    @Test
    void linesFitTheTerminalAndKeepTheEndOfLongNames() {
        ByteArrayOutputStream narrowOut = new ByteArrayOutputStream();
        ProgressBar narrow = new ProgressBar(new PrintStream(narrowOut, true, StandardCharsets.UTF_8), 80, () -> now);
        narrow.stage("Copying", Progress.Unit.BYTES, 10L << 30);
        narrow.item("a/very/long/directory/path/that/goes/on/and/on/and/ends/in/the-file.mp4");
        String line = narrow.render(now);
        assertTrue(line.length() <= 79, line.length() + ": " + line);
        assertTrue(line.endsWith("/the-file.mp4") && line.contains("..."), line);

        narrow.stage("Pass 1: Checking inodes, blocks, and sizes", Progress.Unit.INODES, 4_000_000_000L);
        narrow.update(1_000_000_000L);
        String pass = narrow.render(now);
        assertTrue(pass.length() <= 79 && pass.contains("(1000000000/4000000000 inodes)"), pass);
    }

    @Test
    void clockTimes() {
        assertEquals("0:07", ProgressBar.clockTime(7));
        assertEquals("2:05", ProgressBar.clockTime(125));
        assertEquals("1:00:01", ProgressBar.clockTime(3601));
    }
}
