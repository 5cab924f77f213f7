package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The simplest file system that could possibly be right: a tree of nodes in memory with POSIX semantics, the
 * reference the randomized engine test compares against. Operations return the errno they must fail with, or null.
 */
final class FsModel {
    static final int DIR = 1;
    static final int FILE = 2;
    static final int SYMLINK = 3;

    static final class Node {
        final int type;
        int perm;
        int uid;
        int gid;
        byte[] data = new byte[0];
        String target;
        Node parent;
        final TreeMap<String, Node> children = new TreeMap<>();
        int links;

        Node(int type, int perm) {
            this.type = type;
            this.perm = perm;
        }

        int nlink() {
            if (type != DIR) {
                return links;
            }
            int n = 2;
            for (Node c : children.values()) {
                if (c.type == DIR) {
                    n++;
                }
            }
            return n;
        }
    }

    final Node root = new Node(DIR, 0755);
    /** Inodes alive: linked somewhere, or unlinked but still open. */
    int liveInodes;

    FsModel() {
        root.parent = root;
        liveInodes = 1;
    }

    Node dir(List<String> path) {
        Node n = root;
        for (String p : path) {
            n = n.children.get(p);
            if (n == null || n.type != DIR) {
                return null;
            }
        }
        return n;
    }

    Errno create(Node dir, String name, int type, int perm, String target) {
        if (dir.children.containsKey(name)) {
            return Errno.EEXIST;
        }
        Node n = new Node(type, perm);
        n.target = target;
        n.links = 1;
        if (type == DIR) {
            n.parent = dir;
        }
        dir.children.put(name, n);
        liveInodes++;
        return null;
    }

    Errno unlink(Node dir, String name, boolean open) {
        Node n = dir.children.get(name);
        if (n == null) {
            return Errno.ENOENT;
        }
        if (n.type == DIR) {
            return Errno.EISDIR;
        }
        dir.children.remove(name);
        n.links--;
        if (n.links == 0 && !open) {
            liveInodes--;
        }
        return null;
    }

    Errno rmdir(Node dir, String name) {
        Node n = dir.children.get(name);
        if (n == null) {
            return Errno.ENOENT;
        }
        if (n.type != DIR) {
            return Errno.ENOTDIR;
        }
        if (!n.children.isEmpty()) {
            return Errno.ENOTEMPTY;
        }
        dir.children.remove(name);
        liveInodes--;
        return null;
    }

    Errno link(Node target, Node dir, String name) {
        if (target.type == DIR) {
            return Errno.EPERM;
        }
        if (dir.children.containsKey(name)) {
            return Errno.EEXIST;
        }
        dir.children.put(name, target);
        target.links++;
        return null;
    }

    /** rename(2); {@code openVictim} says whether a replaced file is still open somewhere. */
    Errno rename(Node sdir, String sname, Node ddir, String dname, java.util.function.Predicate<Node> isOpen) {
        Node n = sdir.children.get(sname);
        if (n == null) {
            return Errno.ENOENT;
        }
        Node victim = ddir.children.get(dname);
        if (victim == n) {
            return null;
        }
        if (n.type == DIR) {
            for (Node p = ddir; ; p = p.parent) {
                if (p == n) {
                    return Errno.EINVAL;
                }
                if (p == root) {
                    break;
                }
            }
        }
        if (victim != null) {
            if (n.type == DIR && victim.type != DIR) {
                return Errno.ENOTDIR;
            }
            if (n.type != DIR && victim.type == DIR) {
                return Errno.EISDIR;
            }
            if (victim.type == DIR && !victim.children.isEmpty()) {
                return Errno.ENOTEMPTY;
            }
            victim.links--;
            if (victim.type == DIR || (victim.links == 0 && !isOpen.test(victim))) {
                liveInodes--;
            }
        }
        sdir.children.remove(sname);
        ddir.children.put(dname, n);
        if (n.type == DIR) {
            n.parent = ddir;
        }
        return null;
    }

    static void write(Node f, long offset, byte[] src) {
        int end = (int) offset + src.length;
        if (end > f.data.length) {
            f.data = Arrays.copyOf(f.data, end);
        }
        System.arraycopy(src, 0, f.data, (int) offset, src.length);
    }

    static void truncate(Node f, long size) {
        f.data = Arrays.copyOf(f.data, (int) size);
    }

    /** Every (parent, name, node) below {@code from}, depth first. */
    static void walk(Node from, List<String> path, List<Object[]> out) {
        for (var e : from.children.entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            out.add(new Object[] {from, e.getKey(), e.getValue(), p});
            if (e.getValue().type == DIR) {
                walk(e.getValue(), p, out);
            }
        }
    }
}
