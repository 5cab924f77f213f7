package io.ext3ns.tools;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.Out;

/**
 * Whether a file descriptor is a terminal, and how wide it is. System.console() only says whether stdin and stdout
 * both are, while progress bars go to stderr, so we ask libc (isatty, TIOCGWINSZ) directly.
 */
final class Terminal {
    static final int STDOUT = 1;
    static final int STDERR = 2;
    /** Width assumed when the terminal does not say (a pty with no size, as script(1) makes without a tty). */
    static final int DEFAULT_COLUMNS = 80;
    /** TIOCGWINSZ on Linux (asm-generic ioctls: x86, arm, riscv). */
    private static final long TIOCGWINSZ = 0x5413;

    /** The libc calls used; loaded on first use. */
    public interface LibC {
        int isatty(int fd);

        int ioctl(int fd, long request, @Out byte[] winsize);
    }

    private static final class Native {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    }

    private Terminal() {
    }

    static boolean isTerminal(int fd) {
        try {
            return Native.LIBC.isatty(fd) == 1;
        } catch (LinkageError e) {
            return false; // no native access: behave as when not on a terminal
        }
    }

    /** Columns of the terminal on {@code fd}, or {@link #DEFAULT_COLUMNS} when it does not tell. */
    static int columns(int fd) {
        try {
            byte[] winsize = new byte[8]; // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
            if (Native.LIBC.ioctl(fd, TIOCGWINSZ, winsize) == 0) {
                int cols = (winsize[2] & 0xff) | (winsize[3] & 0xff) << 8;
                if (cols > 0) {
                    return cols;
                }
            }
        } catch (LinkageError e) {
            // fall through to the default
        }
        return DEFAULT_COLUMNS;
    }
}
