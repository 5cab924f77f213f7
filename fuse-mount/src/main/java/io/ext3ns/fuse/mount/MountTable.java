package io.ext3ns.fuse.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What the kernel has mounted (/proc/self/mounts), and whether a FUSE mount point still answers. */
public final class MountTable {
    /** One line of /proc/self/mounts. */
    public record Entry(String source, Path mountPoint, String type, String options) {
        boolean isFuse() {
            return type.equals("fuse") || type.startsWith("fuse.");
        }
    }

    /** What is at a mount point. */
    public enum State {
        NOT_MOUNTED,
        /** Mounted and answering stat. */
        LIVE,
        /** A FUSE mount whose server is gone: every access fails with ENOTCONN. */
        STALE
    }

    private static final Path MOUNTS = Path.of("/proc/self/mounts");

    private MountTable() {
    }

    public static List<Entry> read() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(MOUNTS)) {
            String[] f = line.split(" ");
            if (f.length >= 4) {
                entries.add(new Entry(unescape(f[0]), Path.of(unescape(f[1])), f[2], f[3]));
            }
        }
        return entries;
    }

    /** The topmost mount at {@code mountPoint} (the last line naming it), if any. */
    public static Optional<Entry> at(Path mountPoint) throws IOException {
        Entry found = null;
        for (Entry e : read()) {
            if (e.mountPoint().equals(mountPoint)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The state of {@code mountPoint} (an absolute, normalised path). */
    public static State state(Path mountPoint) throws IOException {
        Optional<Entry> entry = at(mountPoint);
        if (entry.isEmpty()) {
            return State.NOT_MOUNTED;
        }
        if (entry.get().isFuse() && !answers(mountPoint)) {
            return State.STALE;
        }
        return State.LIVE;
    }

    /**
     * True when stat and statfs on the mount point succeed; a FUSE mount without its server fails with ENOTCONN.
     * statfs because stat alone may be answered from the kernel's attribute cache (transport=kernel caches for a
     * second), while statfs always asks the server.
     */
    static boolean answers(Path mountPoint) {
        try {
            Files.readAttributes(mountPoint, "unix:ino");
            Files.getFileStore(mountPoint).getTotalSpace();
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** /proc/mounts escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
