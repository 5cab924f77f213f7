package io.ext3ns.fs.api;

/** One name in a directory: the ext2 file type code (1 reg, 2 dir, ... 7 symlink) comes from the entry itself. */
public record DirEntry(String name, long ino, int fileType) {
}
