package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * A directory tree as tests compare it — names, file types, permission bits, sizes, contents and symlink targets —
 * seen either on the host (a source tree, a kernel mount) or through the engine. lost+found at the top is ignored.
 */
interface TreeView {
    /** Names in a directory, without "." and "..". */
    TreeSet<String> list(String path) throws IOException;

    /** 'd', 'f' or 'l'. */
    char type(String path) throws IOException;

    int perm(String path) throws IOException;

    byte[] contents(String path) throws IOException;

    String target(String path) throws IOException;

    static void assertSameTree(TreeView expected, TreeView actual) throws IOException {
        compare(expected, actual, "");
    }

    private static void compare(TreeView e, TreeView a, String dir) throws IOException {
        TreeSet<String> names = e.list(dir);
        TreeSet<String> got = a.list(dir);
        if (dir.isEmpty()) {
            names.remove("lost+found");
            got.remove("lost+found");
        }
        assertEquals(names, got, "entries of '" + dir + "/'");
        for (String n : names) {
            String p = dir + "/" + n;
            char t = e.type(p);
            assertEquals(t, a.type(p), "type of " + p);
            assertEquals(e.perm(p), a.perm(p), "permissions of " + p);
            if (t == 'd') {
                compare(e, a, p);
            } else if (t == 'f') {
                assertArrayEquals(e.contents(p), a.contents(p), "contents of " + p);
            } else {
                assertEquals(e.target(p), a.target(p), "target of " + p);
            }
        }
    }

    /** A tree on the host file system. */
    static TreeView host(Path root) {
        return new TreeView() {
            private Path p(String path) {
                return root.resolve(path.isEmpty() ? "." : path.substring(1));
            }

            @Override
            public TreeSet<String> list(String path) throws IOException {
                TreeSet<String> out = new TreeSet<>();
                try (var s = Files.list(p(path))) {
                    s.forEach(x -> out.add(x.getFileName().toString()));
                }
                return out;
            }

            @Override
            public char type(String path) {
                Path x = p(path);
                return Files.isSymbolicLink(x) ? 'l' : Files.isDirectory(x, LinkOption.NOFOLLOW_LINKS) ? 'd' : 'f';
            }

            @Override
            public int perm(String path) throws IOException {
                return ((Integer) Files.getAttribute(p(path), "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
            }

            @Override
            public byte[] contents(String path) throws IOException {
                return Files.readAllBytes(p(path));
            }

            @Override
            public String target(String path) throws IOException {
                return Files.readSymbolicLink(p(path)).toString();
            }
        };
    }

    /** The same tree through the engine. */
    static TreeView engine(FileSystem fs) {
        return new TreeView() {
            @Override
            public TreeSet<String> list(String path) throws IOException {
                TreeSet<String> out = new TreeSet<>();
                for (DirEntry d : fs.readdir(fs.resolve(path))) {
                    if (!d.name().equals(".") && !d.name().equals("..")) {
                        out.add(d.name());
                    }
                }
                return out;
            }

            @Override
            public char type(String path) throws IOException {
                Attr a = fs.getattr(fs.resolve(path));
                return a.isDirectory() ? 'd' : a.isSymlink() ? 'l' : 'f';
            }

            @Override
            public int perm(String path) throws IOException {
                return fs.getattr(fs.resolve(path)).mode() & 07777;
            }

            @Override
            public byte[] contents(String path) throws IOException {
                long ino = fs.resolve(path);
                long size = fs.getattr(ino).size();
                FileHandle h = fs.open(ino, false);
                try {
                    ByteBuffer b = ByteBuffer.allocate((int) size);
                    while (b.hasRemaining()) {
                        if (fs.read(h, b.position(), b) <= 0) {
                            break;
                        }
                    }
                    return b.array();
                } finally {
                    fs.release(h);
                }
            }

            @Override
            public String target(String path) throws IOException {
                return fs.readlink(fs.resolve(path));
            }
        };
    }
}
