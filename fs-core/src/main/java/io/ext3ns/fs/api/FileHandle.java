package io.ext3ns.fs.api;

/**
 * An open file. The engine keeps per-open state behind it (allocation reservation, write gathering); an unlinked
 * file's space is returned when its last handle is released.
 */
public interface FileHandle {
    long ino();

    boolean writable();
}
