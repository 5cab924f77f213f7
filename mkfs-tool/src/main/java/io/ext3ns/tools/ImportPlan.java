package io.ext3ns.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What an import will copy, found by walking the sources before anything is written: every directory, regular file
 * and symbolic link (links are copied as links, never followed), with the destination path each lands at, in
 * pre-order (a directory before what it holds). Other kinds (devices, FIFOs, sockets) refuse the whole import.
 * Names and link targets are the host's bytes ({@link HostPaths}), whatever the JVM's file name encoding.
 */
final class ImportPlan {
    enum Kind { DIRECTORY, FILE, SYMLINK }

    /**
     * One thing to copy. {@code dest} is '/'-separated and relative to the destination root; {@code mode} holds
     * the permission bits (07777); {@code linkTarget} is set for symlinks only.
     */
    record Entry(Path source, String dest, Kind kind, long size, int mode, FileTime atime, FileTime mtime,
                 String linkTarget) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private long totalBytes;

    private ImportPlan() {
    }

    /** Walks each source to its destination name (relative to the destination root, no leading '/'). */
    static ImportPlan walk(Map<Path, String> sourceToDest) throws IOException {
        ImportPlan plan = new ImportPlan();
        for (Map.Entry<Path, String> e : sourceToDest.entrySet()) {
            plan.add(e.getKey(), e.getValue());
        }
        return plan;
    }

    private void add(Path source, String dest) throws IOException {
        Map<String, Object> a = Files.readAttributes(source, "unix:mode,size,lastAccessTime,lastModifiedTime",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        FileTime atime = (FileTime) a.get("lastAccessTime");
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        if (Files.isSymbolicLink(source)) {
            entries.add(new Entry(source, dest, Kind.SYMLINK, 0, mode & 07777, atime, mtime,
                    HostPaths.linkTarget(Files.readSymbolicLink(source))));
        } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
            entries.add(new Entry(source, dest, Kind.DIRECTORY, 0, mode & 07777, atime, mtime, null));
            List<Path> children;
            try (Stream<Path> list = Files.list(source)) {
                children = list.sorted().toList();
            }
            for (Path child : children) {
                add(child, dest + "/" + HostPaths.name(child));
            }
        } else if (Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isReadable(source)) {
                throw new IOException(source + ": not readable");
            }
            long size = (Long) a.get("size");
            entries.add(new Entry(source, dest, Kind.FILE, size, mode & 07777, atime, mtime, null));
            totalBytes += size;
        } else {
            throw new IOException(source + ": not a regular file, directory or symbolic link; cannot import it");
        }
    }

    List<Entry> entries() {
        return entries;
    }

    /** Bytes of regular-file data to copy. */
    long totalBytes() {
        return totalBytes;
    }
}
