package io.ext3ns.fuse;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * File names are byte strings through the mount, as in the kernel: names, a directory, a symlink target and an xattr
 * name that are not UTF-8 are made, renamed and removed by python with bytes; listed back byte for byte; Latin-1 'é'
 * and UTF-8 'é' are two files. Then fsck (and e2fsck -fn at 4 KiB) is clean, and the kernel's ext3 lists the same
 * bytes from the image.
 */
class ByteNamesMountTest {
    /** Makes the tree (unless given a directory to list), then prints it: names, contents and targets as bytes. */
    static final String SCRIPT = """
            import os, sys

            def tree(top):
                out = []
                for dirpath, dirs, files in os.walk(top):
                    dirs.sort()
                    for n in sorted(dirs + files):
                        p = os.path.join(dirpath, n)
                        rel = os.path.relpath(p, top)
                        if os.path.islink(p):
                            out.append('%r -> %r' % (rel, os.readlink(p)))
                        elif os.path.isdir(p):
                            out.append('%r/' % rel)
                        else:
                            with open(p, 'rb') as f:
                                out.append('%r %r %r' % (rel, f.read(), sorted(os.listxattr(p))))
                return '\\n'.join(out)

            if len(sys.argv) > 1:
                print(tree(sys.argv[1].encode()))
                sys.exit(0)
            L = b'caf\\xe9'
            U = 'caf\\u00e9'.encode()
            S = b'\\xff\\xfe.\\xc3x\\x80'
            for n in (L, U, S):
                with open(n, 'wb') as f:
                    f.write(n)
            os.mkdir(b'dir\\xe9')
            os.mkdir(b'dir\\xe9/' + S)
            os.symlink(L + b'/../' + S, b'lnk\\xe9')
            os.rename(S, b'dir\\xe9/moved\\x81')
            os.link(L, b'hard\\xfe')
            os.unlink(b'hard\\xfe')
            os.rename(b'dir\\xe9', b'dir\\xe8')
            os.setxattr(L, b'user.\\xe9t\\xe9', b'summer')
            assert os.stat(L).st_ino != os.stat(U).st_ino
            for gone in (S, b'caf\\xef\\xbf\\xbd', b'dir\\xe9', b'hard\\xfe'):
                assert not os.path.lexists(gone), gone
            print(tree(b'.'))
            """;

    /** What the kernel's own file systems print for SCRIPT (made on this host's /tmp, with lost+found added). */
    static final String TREE = """
            b'caf\\xc3\\xa9' b'caf\\xc3\\xa9' []
            b'caf\\xe9' b'caf\\xe9' ['user.\\udce9t\\udce9']
            b'dir\\xe8'/
            b'lnk\\xe9' -> b'caf\\xe9/../\\xff\\xfe.\\xc3x\\x80'
            b'lost+found'/
            b'dir\\xe8/moved\\x81' b'\\xff\\xfe.\\xc3x\\x80' []
            b'dir\\xe8/\\xff\\xfe.\\xc3x\\x80'/
            """;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void namesThatAreNotUtf8AreKeptByteForByte(int blockSize) throws Exception {
        Path image = blockSize == 4096 ? TestImages.mke2fs(tmp.resolve("n.img"), "32M", blockSize)
                : TestImages.ext3ns(tmp.resolve("n.img"), 64L << 20, blockSize);
        Path script = Files.writeString(tmp.resolve("names.py"), SCRIPT);
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            assertEquals(TREE, python(mount.mountPoint, script), mount.log());
            assertEquals(TREE, python(tmp, script, mount.mountPoint.toString()), "listed again: " + mount.log());
        });
        if (blockSize == 4096) {
            Path k = Files.createDirectories(tmp.resolve("kmnt"));
            Shell.run(null, List.of("mount", "-o", "loop,ro", "-t", "ext3", image.toString(), k.toString()), 60)
                    .check();
            try {
                assertEquals(TREE, python(tmp, script, k.toString()), "the kernel's ext3 lists other names");
            } finally {
                Shell.run(null, List.of("umount", k.toString()), 60); // the loop device auto-detaches
                MountProcess.forceUnmount(k);
            }
        }
    }

    private static String python(Path dir, Path script, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        return Shell.run(dir, command, 60).check().out();
    }
}
