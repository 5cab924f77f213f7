package io.ext3ns.fs.util.log;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict reader for what a JSON log line may hold (for tests here and in the modules above): one object of string
 * members, RFC 8259 string escapes, nothing after it; anything else fails the test with the line.
 */
public final class JsonLine {
    private final String s;
    private int i;

    private JsonLine(String s) {
        this.s = s;
    }

    public static Map<String, String> parse(String line) {
        JsonLine p = new JsonLine(line.endsWith("\n") ? line.substring(0, line.length() - 1) : line);
        Map<String, String> out = new LinkedHashMap<>();
        p.expect('{');
        do {
            String key = p.string();
            p.expect(':');
            if (out.put(key, p.string()) != null) {
                throw new AssertionError("duplicate key " + key + ": " + line);
            }
        } while (p.accept(','));
        p.expect('}');
        if (p.i != p.s.length()) {
            throw new AssertionError("trailing text: " + line);
        }
        return out;
    }

    private boolean accept(char c) {
        if (i < s.length() && s.charAt(i) == c) {
            i++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!accept(c)) {
            throw new AssertionError("expected '" + c + "' at " + i + ": " + s);
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = s.charAt(i++);
            if (c == '"') {
                return b.toString();
            }
            if (c < 0x20) {
                throw new AssertionError("raw control character at " + (i - 1) + ": " + s);
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = s.charAt(i++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw new AssertionError("bad escape \\" + e + ": " + s);
            }
        }
    }
}
