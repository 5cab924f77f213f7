package io.ext3ns.stream.server;

/** A regular file of the store a request resolved to: its inode and the attributes that identify its version. */
public record ContentFile(String path, long ino, long size, long mtimeNanos) {
}
