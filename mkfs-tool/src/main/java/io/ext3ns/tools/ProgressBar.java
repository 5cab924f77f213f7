package io.ext3ns.tools;

import io.ext3ns.fs.util.Progress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The one terminal renderer of {@link Progress} for every tool: a line per stage, redrawn in place with '\r',
 *
 * <pre>
 * Pass 1: Checking inodes, blocks, and sizes [######        ]  40% (6553/16384 inodes)
 * Copying [##########          ]  50% 150.0/300.0 MB  45.2 MB/s  ETA 0:03  movies/a.mp4
 * </pre>
 *
 * at most ten times a second and only when the text changes; a stage's line ends with a newline when the next stage
 * starts or the job finishes. Lines are fitted to the terminal's width so that '\r' redraws never wrap.
 */
final class ProgressBar implements Progress {
    /** Redraws are at least this far apart (the last draw of a stage is always made). */
    static final long MIN_REDRAW_NANOS = 100_000_000L;
    private static final int MAX_BAR = 40;
    private static final int MIN_BAR = 10;
    /** An item name is shown only when at least this many columns are left for it. */
    private static final int MIN_ITEM = 8;
    /** Columns a bytes stage keeps free for the item name when it sizes its bar. */
    private static final int ITEM_RESERVE = 24;
    /** Rates and ETAs are shown once a stage has run this long (earlier they swing wildly). */
    private static final long RATE_AFTER_NANOS = 500_000_000L;

    private final PrintStream out;
    private final LongSupplier clock;
    private final int columns;

    private String title;
    private Unit unit;
    private long total;
    private long done;
    private String item = "";
    private long stageStart;
    /** The bar's width in this stage, 0 until its first draw, and the title as fitted beside it. */
    private int bar;
    private String head;
    /** The next {@code done} worth looking at the clock for (about every 0.1% of the stage). */
    private long nextLook;
    private long lastDraw;
    /** The text on the current line, null when no line is open. */
    private String shown;

    ProgressBar(PrintStream out, int columns, LongSupplier nanoClock) {
        this.out = out;
        this.columns = columns;
        this.clock = nanoClock;
    }

    /** A bar on stderr when it is a terminal and the user did not ask for quiet (-q); otherwise nothing at all. */
    static Progress onStderr(boolean quiet) {
        if (quiet || !Terminal.isTerminal(Terminal.STDERR)) {
            return Progress.NONE;
        }
        return new ProgressBar(System.err, Terminal.columns(Terminal.STDERR), System::nanoTime);
    }

    /** A bar on stdout whether or not it is a terminal (e2fsck's -C 0). */
    static Progress onStdout() {
        return new ProgressBar(System.out, Terminal.columns(Terminal.STDOUT), System::nanoTime);
    }

    @Override
    public void stage(String stageTitle, Unit stageUnit, long stageTotal) {
        endLine();
        title = stageTitle;
        unit = stageUnit;
        total = Math.max(0, stageTotal);
        done = 0;
        item = "";
        bar = 0;
        stageStart = clock.getAsLong();
        nextLook = 0;
        draw(stageStart);
    }

    @Override
    public void update(long stageDone) {
        done = Math.min(Math.max(0, stageDone), total);
        if (title == null || (done < nextLook && done < total)) {
            return; // cheap exit for callers that report every item
        }
        nextLook = done + Math.max(1, total / 1000);
        long now = clock.getAsLong();
        if (done < total && now - lastDraw < MIN_REDRAW_NANOS) {
            return;
        }
        draw(now);
    }

    @Override
    public void item(String name) {
        item = name == null ? "" : name;
    }

    @Override
    public void finish() {
        endLine();
        title = null;
    }

    private void endLine() {
        if (title == null) {
            return;
        }
        draw(clock.getAsLong()); // the stage as it ended, even inside the redraw interval
        out.println();
        out.flush();
        shown = null;
    }

    private void draw(long now) {
        String text = render(now);
        if (text.equals(shown)) {
            return;
        }
        // pad over the rest of a longer previous text, which '\r' alone would leave on screen
        int pad = shown == null ? 0 : Math.max(0, shown.length() - text.length());
        out.print("\r" + text + " ".repeat(pad));
        out.flush();
        shown = text;
        lastDraw = now;
    }

    /**
     * The whole line, fitted into the terminal's width (a column is kept free so the cursor never wraps). The bar's
     * width and the title are fixed at a stage's first draw so that they do not jump as numbers grow; the title is cut
     * before the bar shrinks below its minimum, and the current item (bytes stages keep room for one) gets what is left, its end kept.
     */
    String render(long now) {
        int percent = total == 0 ? 100 : (int) (100 * (double) done / total);
        String tail = tail(percent, done, now);
        int room = columns - 1;
        if (bar == 0) { // sized for the widest tail of the stage (bytes: ETA and item may take more, reserved)
            int widest = tail(100, total, now).length();
            int itemReserve = unit == Unit.BYTES ? ITEM_RESERVE : 0;
            bar = Math.min(MAX_BAR, Math.max(MIN_BAR, room - title.length() - widest - 4 - itemReserve));
            head = fit(title, Math.max(0, room - widest - 4 - bar), true);
        }
        int filled = (int) ((long) bar * percent / 100);
        String line = fit(head + " [" + "#".repeat(filled) + " ".repeat(bar - filled) + "] " + tail, room, true);
        int itemRoom = room - line.length() - 2;
        if (!item.isEmpty() && itemRoom >= MIN_ITEM) {
            line += "  " + fit(item, itemRoom, false);
        }
        return line;
    }

    private String tail(int percent, long count, long now) {
        return String.format(Locale.ROOT, "%3d%% ", percent) + (unit == Unit.BYTES ? bytesTail(count, now)
                : "(" + count + "/" + total + " " + unit.label() + ")");
    }

    /** "150.0/300.0 MB  45.2 MB/s  ETA 0:03", or "... in 0:07" once done. */
    private String bytesTail(long done, long now) {
        long elapsed = Math.max(0, now - stageStart);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%.1f/%.1f MB", done / 1e6, total / 1e6));
        boolean complete = done >= total;
        if (elapsed >= RATE_AFTER_NANOS || complete) {
            double rate = elapsed == 0 ? 0 : done / (elapsed / 1e9);
            s.append(String.format(Locale.ROOT, "  %.1f MB/s", rate / 1e6));
            if (complete) {
                s.append("  in ").append(clockTime(elapsed / 1_000_000_000L));
            } else {
                s.append("  ETA ").append(rate > 0 ? clockTime((long) ((total - done) / rate)) : "--:--");
            }
        } else {
            s.append("  -.- MB/s  ETA --:--");
        }
        return s.toString();
    }

    /** m:ss, or h:mm:ss from an hour on. */
    static String clockTime(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long sec = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    /** {@code text} cut to {@code width}: its end dropped (keepStart) or its start (a file path's name survives). */
    private static String fit(String text, int width, boolean keepStart) {
        if (text.length() <= width) {
            return text;
        }
        if (width <= 3) {
            return text.substring(0, Math.max(0, width));
        }
        return keepStart ? text.substring(0, width - 3) + "..." : "..." + text.substring(text.length() - width + 3);
    }
}
