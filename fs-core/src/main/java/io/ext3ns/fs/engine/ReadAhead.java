package io.ext3ns.fs.engine;

/**
 * One open stream's read-ahead policy (as the kernel's file_ra_state): a read that starts where the previous one
 * ended, or in the unit last read or the next, is sequential; each new unit a sequential reader enters doubles the window, from 1 unit up to the bound; a
 * read elsewhere resets it, and after such a jump the reader must go on sequentially into a third unit before
 * anything is read ahead (an HTTP range of two or three units reads none it will not send). Each unit is asked for
 * once ({@code aheadUpTo}). Thread-safe (a handle may be read from several threads).
 */
final class ReadAhead {
    /** Units a reader must enter in order after a jump before read-ahead starts again. */
    static final int AFTER_JUMP = 3;
    private final int maxUnits;
    private long nextExpected;
    private long lastUnit = -1;
    private int window;
    private long aheadUpTo = -1;
    /** Units entered sequentially since the last jump (a read from the start of the file counts as one). */
    private int sequentialUnits = 1;

    /** @param maxUnits the largest window, in cache units (0: no read-ahead) */
    ReadAhead(int maxUnits) {
        this.maxUnits = maxUnits;
    }

    /**
     * After a read of [{@code from}, {@code to}) of a file whose last unit is {@code lastUnitOfFile}: the units to
     * start reading, as {first, last}, or null.
     */
    synchronized long[] after(long from, long to, int unitBytes, long lastUnitOfFile) {
        // Unit-granular, as the kernel's requests need not follow each other byte for byte (its own read-ahead
        // and the page cache's reads interleave): a read in the unit last read, or the next one, is sequential.
        long fromUnit = from / unitBytes;
        boolean sequential = from == nextExpected || fromUnit == lastUnit || fromUnit == lastUnit + 1;
        nextExpected = to;
        long unit = (to - 1) / unitBytes;
        if (maxUnits == 0) {
            return null;
        }
        if (!sequential) {
            window = 0;
            sequentialUnits = 0;
            lastUnit = unit;
            aheadUpTo = unit;
            return null;
        }
        if (unit != lastUnit) {
            sequentialUnits++;
        }
        if (sequentialUnits < AFTER_JUMP && from != 0) {
            lastUnit = unit;
            return null; // two units after a jump say nothing yet
        }
        if (unit != lastUnit || window == 0) {
            window = window == 0 ? 1 : Math.min(maxUnits, window * 2);
            lastUnit = unit;
        }
        long first = Math.max(unit + 1, aheadUpTo + 1);
        long last = Math.min(lastUnitOfFile, unit + window);
        if (last < first) {
            return null;
        }
        aheadUpTo = last;
        return new long[] {first, last};
    }

    /** The current window in units (for tests). */
    synchronized int window() {
        return window;
    }
}
