package io.ext3ns.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether a file descriptor is a terminal, and how wide it is. System.console() only says whether stdin and stdout
 * both are, while progress bars go to stderr. We read /proc/self/fd/N (a terminal is /dev/pts/N, /dev/ttyX,
 * /dev/console, /dev/hvcN) instead of calling isatty through a native binding: loading one costs ~0.4 s of start-up,
 * which every run that shows no bar would pay.
 */
final class Terminal {
    static final int STDOUT = 1;
    static final int STDERR = 2;
    /** Width assumed when the terminal does not say (a pty with no size, as script(1) makes without a tty). */
    static final int DEFAULT_COLUMNS = 80;

    private Terminal() {
    }

    static boolean isTerminal(int fd) {
        return device(fd) != null;
    }

    /** The terminal device open on {@code fd}, or null when it is not a terminal (a pipe, a file, closed). */
    private static String device(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            boolean tty = target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
                    || target.equals("/dev/console") || target.startsWith("/dev/hvc");
            return tty ? target : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Columns of the terminal on {@code fd} (asked of stty, only when a bar is drawn), or the default. */
    static int columns(int fd) {
        String device = device(fd);
        if (device == null) {
            return DEFAULT_COLUMNS;
        }
        try {
            Process stty = new ProcessBuilder("stty", "-F", device, "size").redirectErrorStream(true).start();
            String out = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0 && out.matches("\\d+ \\d+")) {
                int cols = Integer.parseInt(out.substring(out.indexOf(' ') + 1));
                if (cols > 0) {
                    return cols;
                }
            }
        } catch (IOException e) {
            // no stty: the default
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return DEFAULT_COLUMNS;
    }
}
