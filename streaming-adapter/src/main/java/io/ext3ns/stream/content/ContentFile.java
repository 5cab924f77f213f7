package io.ext3ns.stream.content;

/**
 * A regular file of the store a request resolved to: its path with every symlink resolved (so the streaming engine
 * can open it by path without following links again), its inode, and the attributes that identify its version.
 */
public record ContentFile(String path, long ino, long size, long mtimeNanos) {
}
