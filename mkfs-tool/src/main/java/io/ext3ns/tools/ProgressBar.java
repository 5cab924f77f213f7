package io.ext3ns.tools;

import io.ext3ns.fs.format.FormatProgress;
import java.io.PrintStream;

/** A one-line "[#####     ]  50% (12/24 groups)" bar redrawn with '\r' on a terminal, only when the percent moves. */
final class ProgressBar implements FormatProgress {
    private static final int WIDTH = 40;
    private final PrintStream out;
    private final String label;
    private int lastPercent = -1;

    ProgressBar(PrintStream out, String label) {
        this.out = out;
        this.label = label;
    }

    /** A bar on stderr when it is a terminal and not silenced, else nothing. */
    static FormatProgress forTerminal(boolean quiet, String label) {
        return !quiet && System.console() != null ? new ProgressBar(System.err, label) : FormatProgress.NONE;
    }

    @Override
    public void update(long done, long total) {
        int percent = total == 0 ? 100 : (int) (100 * done / total);
        if (percent == lastPercent) {
            return;
        }
        lastPercent = percent;
        int filled = WIDTH * percent / 100;
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
                + String.format("%3d%% (%d/%d groups)", percent, done, total));
        if (done >= total) {
            out.println();
        }
        out.flush();
    }
}
