package io.ext3ns.tools;

import io.ext3ns.fs.util.FileNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The host's file names as bytes, whatever the JVM's sun.jnu.encoding. Java keeps a Unix path as its bytes but turns
 * it into a String (toString, getFileName().toString()) and back (Path.of(String)) through that encoding, which
 * replaces what it cannot decode: under UTF-8 a Latin-1 name $'caf\xe9' becomes "caf\uFFFD" and then other bytes.
 * A path's file: URI is the exception: it percent-encodes the path's own bytes, and Path.of(URI) decodes them back
 * into bytes. So names read from the host and names written to it go through URIs here, and are Strings only as
 * {@link FileNames} decodes them (lossless).
 */
final class HostPaths {
    private HostPaths() {
    }

    /** The bytes of {@code p} as given (relative stays relative). */
    static byte[] bytes(Path p) {
        byte[] all = uriBytes(p.toAbsolutePath());
        if (p.isAbsolute()) {
            return all;
        }
        // toAbsolutePath puts the working directory and '/' before the relative path's bytes
        byte[] cwd = uriBytes(Path.of("").toAbsolutePath());
        int skip = cwd.length == 1 ? 1 : cwd.length + 1;
        return skip >= all.length ? new byte[0] : Arrays.copyOfRange(all, skip, all.length);
    }

    /** The last name of {@code p} (made absolute first, as cp names a copy), or null for "/". */
    static String name(Path p) {
        byte[] b = uriBytes(p.toAbsolutePath().normalize());
        int start = lastSlash(b) + 1;
        return start >= b.length ? null : FileNames.decode(b, start, b.length - start);
    }

    /** A symlink's target, as the bytes the link holds. */
    static String linkTarget(Path target) {
        return FileNames.decode(bytes(target));
    }

    /** The path {@code relative} ('/'-separated names from {@link FileNames}) under {@code base}, made absolute. */
    static Path resolve(Path base, String relative) {
        byte[] b = uriBytes(base.toAbsolutePath());
        if (relative.isEmpty()) {
            return fromBytes(b);
        }
        byte[] r = FileNames.encode(relative);
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + 1 + r.length);
        out.write(b, 0, b.length);
        if (b.length != 1) {
            out.write('/');
        }
        out.write(r, 0, r.length);
        return fromBytes(out.toByteArray());
    }

    /**
     * A Path holding exactly the bytes of {@code target} (a symlink's target, relative or absolute). An absolute one
     * comes from its URI; a relative one is Path.of(target) when the JVM's encoding keeps its bytes, else what is
     * left of its URI form under the working directory, when that keeps them (Path.relativize drops "." and "..").
     *
     * @throws IOException when the JVM cannot make a Path of these bytes (a relative target that is not valid in
     *         its encoding and holds "." or ".."): import offline (MEMBER:/path) instead
     */
    static Path linkPath(String target) throws IOException {
        byte[] want = FileNames.encode(target);
        if (want.length > 0 && want[0] == '/') {
            return fromBytes(want);
        }
        try {
            Path plain = Path.of(target);
            if (Arrays.equals(bytes(plain), want)) {
                return plain;
            }
        } catch (java.nio.file.InvalidPathException e) {
            // not in the JVM's encoding: try the URI form
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path relative = cwd.relativize(resolve(cwd, target));
        if (Arrays.equals(bytes(relative), want)) {
            return relative;
        }
        throw new IOException("symlink target '" + FileNames.printable(target) + "' cannot be written through this"
                + " JVM (file name encoding " + System.getProperty("sun.jnu.encoding")
                + "); import offline into MEMBER:/path instead");
    }

    private static Path fromBytes(byte[] absolute) {
        StringBuilder uri = new StringBuilder(absolute.length * 3 + 8).append("file://");
        for (byte x : absolute) {
            int c = x & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "/-._~".indexOf(c) >= 0) {
                uri.append((char) c);
            } else {
                uri.append(String.format("%%%02X", c));
            }
        }
        return Path.of(URI.create(uri.toString()));
    }

    /** The bytes of an absolute path, from its file: URI (which ends in '/' for a directory: dropped). */
    private static byte[] uriBytes(Path absolute) {
        String raw = absolute.toUri().getRawPath();
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        byte[] b = out.toByteArray();
        return b.length > 1 && b[b.length - 1] == '/' ? Arrays.copyOf(b, b.length - 1) : b;
    }

    private static int lastSlash(byte[] b) {
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] == '/') {
                return i;
            }
        }
        return -1;
    }
}
