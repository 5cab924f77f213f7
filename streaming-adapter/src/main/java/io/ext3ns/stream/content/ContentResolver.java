package io.ext3ns.stream.content;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.util.FileNames;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Turns the path of a request URL into a regular file of the store, walking the {@link FileSystem}'s own directories
 * (never the host's). The URL path is percent-decoded once; a "." or ".." segment, a NUL, a backslash or a bad
 * escape is refused as malformed (400): clients remove dot segments before sending (RFC 3986 5.2.4), so one that
 * arrives is an attempt to climb out. Symlinks inside the store are followed like the kernel does (relative targets
 * from the link's directory, at most {@link #MAX_SYMLINKS} hops), but a target that is absolute or climbs above the
 * store's root is refused (403): it points into the host's tree.
 */
public final class ContentResolver {
    static final int MAX_SYMLINKS = 8;
    private static final int MAX_PATH_BYTES = 4096;
    /** The whole answer to a link leaving the store: where it points is none of the client's business. */
    static final String FORBIDDEN = "forbidden";

    private final FileSystem fs;

    public ContentResolver(FileSystem fs) {
        this.fs = fs;
    }

    /** Resolves {@code rawPath} (still percent-encoded, starting with '/', no query). */
    public ContentFile resolve(String rawPath) throws ContentException {
        String path = decode(rawPath);
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            if (part.equals(".") || part.equals("..")) {
                throw new ContentException(400, "dot segment in path: " + rawPath);
            }
            parts.add(part);
        }
        if (parts.isEmpty()) {
            throw new ContentException(404, "no file named");
        }
        try {
            Resolved found = walk(parts);
            Attr attr = fs.getattr(found.ino());
            if (!attr.isRegular()) {
                throw new ContentException(404, "not a regular file: " + path);
            }
            return new ContentFile(found.canonicalPath(), found.ino(), attr.size(), attr.mtimeNanos());
        } catch (UpstreamUnavailableException e) {
            throw new ContentException(502, "origin unavailable: " + e.detail(), e);
        } catch (FsException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                throw new ContentException(404, "not found: " + path);
            }
            if (e.errno() == Errno.ELOOP) {
                throw new ContentException(404, "too many symlinks: " + path);
            }
            throw new ContentException(500, "store error resolving " + path + ": " + e.getMessage(), e);
        }
    }

    private record Resolved(long ino, String canonicalPath) {
    }

    /**
     * Walks the components from the root, keeping the chain of directories (and their names) so ".." in a link
     * stays inside and the result has a symlink-free path.
     */
    private Resolved walk(List<String> parts) throws FsException, ContentException {
        Deque<String> pending = new ArrayDeque<>(parts);
        Deque<Long> dirs = new ArrayDeque<>();
        Deque<String> names = new ArrayDeque<>();
        dirs.push(FileSystem.ROOT_INO);
        int hops = 0;
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (dirs.size() == 1) {
                    throw new ContentException(403, FORBIDDEN);
                }
                dirs.pop();
                names.pop();
                continue;
            }
            long ino = fs.lookup(dirs.peek(), name);
            Attr attr = fs.getattr(ino);
            if (attr.isSymlink()) {
                if (++hops > MAX_SYMLINKS) {
                    throw new FsException(Errno.ELOOP, "more than " + MAX_SYMLINKS + " symlinks");
                }
                String target = fs.readlink(ino);
                if (target.isEmpty() || target.startsWith("/")) {
                    throw new ContentException(403, FORBIDDEN); // naming the target would map the host for the client
                }
                String[] targetParts = target.split("/");
                for (int i = targetParts.length - 1; i >= 0; i--) {
                    if (!targetParts[i].isEmpty()) {
                        pending.push(targetParts[i]);
                    }
                }
                continue;
            }
            if (pending.isEmpty()) {
                StringBuilder path = new StringBuilder();
                names.descendingIterator().forEachRemaining(n -> path.append('/').append(n));
                return new Resolved(ino, path.append('/').append(name).toString());
            }
            if (!attr.isDirectory()) {
                throw new FsException(Errno.ENOTDIR, name + " is not a directory");
            }
            dirs.push(ino);
            names.push(name);
        }
        throw new ContentException(404, "path names a directory"); // ended on "." or ".." from a link
    }

    /**
     * Strict percent-decoding to the name's bytes, read as the engine reads names ({@link FileNames}: UTF-8, and any
     * other byte kept as it is, so a file whose name is not UTF-8 is served too); '+' stays '+' (not a space).
     */
    public static String decode(String raw) throws ContentException {
        if (raw.length() > MAX_PATH_BYTES) {
            throw new ContentException(400, "path longer than " + MAX_PATH_BYTES + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new ContentException(400, "truncated %-escape in path");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new ContentException(400, "bad %-escape in path");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x20 || c > 0x7e) {
                throw new ContentException(400, "control or non-ASCII character in path");
            } else {
                out.write(c);
            }
        }
        String decoded = FileNames.decode(out.toByteArray());
        if (decoded.indexOf('\0') >= 0 || decoded.indexOf('\\') >= 0) {
            throw new ContentException(400, "NUL or backslash in path");
        }
        return decoded;
    }

    /**
     * The inverse of {@link #decode} for links we hand out: the name's bytes ({@link FileNames}) percent-encoded, all
     * but RFC 3986's unreserved characters and '/', so any client sends it back as it is.
     */
    public static String encode(String path) {
        StringBuilder b = new StringBuilder();
        for (byte x : FileNames.encode(path)) {
            int c = x & 0xff;
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }
}
