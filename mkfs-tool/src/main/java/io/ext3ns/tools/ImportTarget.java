package io.ext3ns.tools;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.attribute.FileTime;

/**
 * Where an import writes: a directory (a mounted EXT3NS, through the kernel) or an unmounted volume written offline
 * through fs-core. Paths are '/'-separated and relative to the import's destination root ("" is the root itself).
 * {@link #close()} makes everything written durable and leaves the volume consistent, also after a failure.
 */
interface ImportTarget extends Closeable {
    /** What already exists at a path: its kind and, for a regular file, its size. */
    record Existing(ImportPlan.Kind kind, long size) {
    }

    /** What is at {@code path}, or null when nothing is. */
    Existing existing(String path) throws IOException;

    /** Block size the space estimate counts in. */
    int blockSize() throws IOException;

    /** Bytes an unprivileged writer may still use (statfs f_bavail × block size). */
    long availableBytes() throws IOException;

    /** Free inodes, or -1 when the target does not say. */
    long freeInodes() throws IOException;

    void mkdir(String path, int mode) throws IOException;

    void symlink(String path, String target) throws IOException;

    /** Creates a regular file of {@code size} bytes to be written sequentially from offset 0 (space reserved first). */
    FileWriter create(String path, int mode, long size) throws IOException;

    /** Removes a file or symlink (a replaced one, or a partial copy). */
    void remove(String path) throws IOException;

    /** Sets permission bits and times without following a symlink (a symlink's mode is left alone). */
    void setAttributes(String path, ImportPlan.Kind kind, int mode, FileTime atime, FileTime mtime)
            throws IOException;

    /** How a path is named in messages. */
    String describe(String path);

    /** A regular file being written. */
    interface FileWriter extends Closeable {
        /** Writes all of {@code data} at the current end of what has been written. */
        void write(ByteBuffer data) throws IOException;
    }
}
