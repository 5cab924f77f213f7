package io.ext3ns.fuse.kernel;

import io.ext3ns.fs.api.FileSystem;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernel's node ids and their lookup counts. A node id is the engine's inode number, except that the kernel
 * calls the root 1 (ext3's root is inode 2, and inode 1 is never shown). Each entry reply (lookup, create, mkdir,
 * mknod, symlink, link, readdirplus) adds one to the count; FORGET and BATCH_FORGET take away what the kernel
 * says it dropped. A node the kernel holds no count on is not in its cache, so nothing needs invalidating there.
 */
final class NodeTable {
    private final ConcurrentHashMap<Long, Long> counts = new ConcurrentHashMap<>();

    static long nodeOf(long ino) {
        return ino == FileSystem.ROOT_INO ? FuseProtocol.ROOT_NODE : ino;
    }

    static long inoOf(long nodeid) {
        return nodeid == FuseProtocol.ROOT_NODE ? FileSystem.ROOT_INO : nodeid;
    }

    /** One more reference the kernel holds on {@code ino}'s node; returns the node id. */
    long looked(long ino) {
        long node = nodeOf(ino);
        if (node != FuseProtocol.ROOT_NODE) {
            counts.merge(node, 1L, Long::sum);
        }
        return node;
    }

    void forget(long nodeid, long n) {
        if (n <= 0) {
            return;
        }
        counts.computeIfPresent(nodeid, (k, c) -> c - n > 0 ? c - n : null);
    }

    /** True when the kernel may have {@code ino} cached (the root always). */
    boolean known(long ino) {
        long node = nodeOf(ino);
        return node == FuseProtocol.ROOT_NODE || counts.containsKey(node);
    }

    int size() {
        return counts.size();
    }
}
