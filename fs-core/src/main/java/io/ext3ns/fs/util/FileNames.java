package io.ext3ns.fs.util;

/**
 * Linux file names are byte strings (any bytes but '/' and NUL); Java names are Strings. This is the one lossless
 * mapping between the two, Python's "surrogateescape": bytes that are well-formed UTF-8 decode to their characters,
 * and each byte of anything else (0x80..0xFF only: ASCII is always valid) decodes to the lone low surrogate
 * U+DC80..U+DCFF, which {@link #encode} turns back into that byte. So {@code encode(decode(b))} is {@code b} for every
 * byte string, and a String that came from valid UTF-8 is the ordinary Java String of it. Names that differ as bytes
 * ('é' as UTF-8 C3 A9 and as Latin-1 E9) stay different Strings.
 *
 * <p>Used wherever a name or a symlink target crosses between bytes and String: directory entries, symlink targets
 * and xattr names in the engine, both FUSE transports, and the tools.
 */
public final class FileNames {
    /** The escape of byte b (0x80..0xFF) is ESCAPE + b. */
    private static final int ESCAPE = 0xDC00;

    private FileNames() {
    }

    public static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** The name held in {@code bytes[off, off+len)}. */
    public static String decode(byte[] bytes, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end && bytes[i] >= 0) {
            i++;
        }
        if (i == end) {
            return new String(bytes, off, len, java.nio.charset.StandardCharsets.US_ASCII); // the common case
        }
        StringBuilder out = new StringBuilder(len);
        for (int k = off; k < i; k++) {
            out.append((char) bytes[k]);
        }
        while (i < end) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                out.append((char) b0);
                i++;
                continue;
            }
            int n = sequenceLength(bytes, i, end);
            if (n == 0) {
                out.append((char) (ESCAPE + b0));
                i++;
                continue;
            }
            int cp = b0 & (0xFF >> (n + 1));
            for (int k = 1; k < n; k++) {
                cp = (cp << 6) | (bytes[i + k] & 0x3F);
            }
            out.appendCodePoint(cp);
            i += n;
        }
        return out.toString();
    }

    /**
     * The length (2..4) of the well-formed UTF-8 sequence starting at {@code i}, or 0 if there is none there
     * (Unicode's table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF, nothing cut off).
     */
    private static int sequenceLength(byte[] b, int i, int end) {
        int b0 = b[i] & 0xFF;
        int n;
        int lo = 0x80;
        int hi = 0xBF;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 2;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3;
            if (b0 == 0xE0) {
                lo = 0xA0;
            } else if (b0 == 0xED) {
                hi = 0x9F;
            }
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4;
            if (b0 == 0xF0) {
                lo = 0x90;
            } else if (b0 == 0xF4) {
                hi = 0x8F;
            }
        } else {
            return 0;
        }
        if (end - i < n) {
            return 0;
        }
        int b1 = b[i + 1] & 0xFF;
        if (b1 < lo || b1 > hi) {
            return 0;
        }
        for (int k = 2; k < n; k++) {
            int c = b[i + k] & 0xFF;
            if (c < 0x80 || c > 0xBF) {
                return 0;
            }
        }
        return n;
    }

    /**
     * The bytes of a name {@link #decode} made (or any String of characters and escapes).
     *
     * @throws IllegalArgumentException for a lone surrogate that is not an escape (U+D800..U+DC7F, U+DD00..U+DFFF):
     *         no byte string decodes to it
     */
    public static byte[] encode(String name) {
        int n = name.length();
        int i = 0;
        while (i < n && name.charAt(i) < 0x80) {
            i++;
        }
        if (i == n) {
            return name.getBytes(java.nio.charset.StandardCharsets.US_ASCII); // the common case
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(n + 8);
        for (int k = 0; k < i; k++) {
            out.write(name.charAt(k));
        }
        while (i < n) {
            char c = name.charAt(i);
            int cp;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(name.charAt(i + 1))) {
                cp = Character.toCodePoint(c, name.charAt(i + 1));
                i += 2;
            } else if (c >= ESCAPE + 0x80 && c <= ESCAPE + 0xFF) {
                out.write(c - ESCAPE);
                i++;
                continue;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(String.format("lone surrogate U+%04X at %d is no file name byte",
                        (int) c, i));
            } else {
                cp = c;
                i++;
            }
            writeUtf8(out, cp);
        }
        return out.toByteArray();
    }

    private static void writeUtf8(java.io.ByteArrayOutputStream out, int cp) {
        if (cp < 0x80) {
            out.write(cp);
        } else if (cp < 0x800) {
            out.write(0xC0 | (cp >> 6));
            out.write(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out.write(0xE0 | (cp >> 12));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        } else {
            out.write(0xF0 | (cp >> 18));
            out.write(0x80 | ((cp >> 12) & 0x3F));
            out.write(0x80 | ((cp >> 6) & 0x3F));
            out.write(0x80 | (cp & 0x3F));
        }
    }

    /** The name for messages: each escaped byte as {@code \xNN} (a lone surrogate would print as '?'). */
    public static String printable(String name) {
        StringBuilder out = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean escape = c >= ESCAPE + 0x80 && c <= ESCAPE + 0xFF;
            if (escape && out == null) {
                out = new StringBuilder(name.length() + 8).append(name, 0, i);
            }
            if (escape) {
                out.append(String.format("\\x%02x", c - ESCAPE));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? name : out.toString();
    }

    /** {@link #printable(String)} of raw name bytes. */
    public static String printable(byte[] name) {
        return printable(decode(name));
    }
}
