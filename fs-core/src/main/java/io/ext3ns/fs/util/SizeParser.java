package io.ext3ns.fs.util;

import java.util.Locale;

/**
 * Sizes as command lines write them: a plain byte count ("4096") or a number with a binary suffix K, M, G, T
 * (optionally followed by "iB" or "B": "64K", "1M", "1MiB", "2g"). Shared by mkfs, mount and the server.
 */
public final class SizeParser {
    private SizeParser() {
    }

    /** Parses {@code text}; throws IllegalArgumentException with the offending text on anything else or overflow. */
    public static long parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty size");
        }
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (s.endsWith("IB")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("B") && s.length() > 1 && !Character.isDigit(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        switch (last) {
            case 'K': shift = 10; break;
            case 'M': shift = 20; break;
            case 'G': shift = 30; break;
            case 'T': shift = 40; break;
            default: break;
        }
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 19) {
            throw new IllegalArgumentException("not a size: '" + text + "' (use e.g. 4096, 64K, 1M, 2G)");
        }
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        if (value > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return value << shift;
    }

    /** Parses a size that must fit an int (block sizes). */
    public static int parseInt(String text) {
        long v = parse(text);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size too large: '" + text + "'");
        }
        return (int) v;
    }

    /** "1M", "64K", "4096": the shortest exact binary form, for messages. */
    public static String format(long bytes) {
        String[] units = {"", "K", "M", "G", "T"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v != 0 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }
}
