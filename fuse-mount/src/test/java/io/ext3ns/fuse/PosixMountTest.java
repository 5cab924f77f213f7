package io.ext3ns.fuse;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Through a real mount, under the transport of this run (MountProcess), at 4 KiB on an mke2fs image and at 1 MiB on
 * ours: FIFOs, devices and sockets; fallocate's modes; renameat2's exchange; a non-owner's write clearing set-id bits
 * through a write-only and a read-write descriptor; atime under relatime, strictatime and noatime. Each block size
 * shares one mount (allow_other, so that another user can write), unmounted and checked by fsck.ext3ns and e2fsck
 * (4 KiB) afterwards; the kernel's ext3 then reads the special files we made.
 */
class PosixMountTest {
    /** As a user other than root: the system python, not a per-user shim (it must be runnable by nobody). */
    private static final String AS_NOBODY = "setpriv --reuid=65534 --regid=65534 --clear-groups ";

    static boolean libfuse2() {
        return System.getProperty(MountProcess.TRANSPORT_PROPERTY, "").equals("libfuse2");
    }

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class OneMount {
        Path dir;
        Path image;
        MountProcess mount;
        boolean specialFilesMade;

        abstract int blockSize();

        @BeforeAll
        void mount() throws Exception {
            dir = Files.createTempDirectory("ext3ns-posix");
            image = blockSize() == 4096 ? TestImages.mke2fs(dir.resolve("p.img"), "64M", 4096)
                    : TestImages.ext3ns(dir.resolve("p.img"), 160L << 20, blockSize());
            mount = MountProcess.mount(image.toString(), dir.resolve("mnt"), "allow_other,default_permissions");
        }

        @AfterAll
        void unmountAndCheck() throws Exception {
            try {
                if (mount == null) {
                    return; // the mount never came up: @BeforeAll reported why
                }
                try (MountProcess m = mount) {
                    assertEquals(0, m.unmount(), m.log());
                }
                TestImages.assertFsckClean(image);
                if (blockSize() == 4096 && specialFilesMade) {
                    theKernelReadsTheSpecialFiles();
                }
            } finally {
                Shell.run(null, List.of("rm", "-rf", dir.toString()), 60);
            }
        }

        private void theKernelReadsTheSpecialFiles() throws Exception {
            Path k = Files.createDirectories(dir.resolve("kmnt"));
            Shell.run(null, List.of("mount", "-o", "loop,ro", "-t", "ext3", image.toString(), k.toString()), 60)
                    .check();
            try {
                assertEquals(SPECIAL_FILES, Shell.bash(k.resolve("special"), "stat -c '%n %F %t %T %a' *").check()
                        .out());
            } finally {
                Shell.run(null, List.of("umount", k.toString()), 60); // the loop device auto-detaches
                MountProcess.forceUnmount(k);
            }
        }

        String sh(String script) throws Exception {
            return Shell.bash(mount.mountPoint, "export TZ=UTC LC_ALL=C\n" + script).check().out();
        }

        static final String SPECIAL_FILES = """
                block-large block special file fa0 ffdc0 640
                block-small block special file 8 1 640
                char-large character special file 12c 11170 600
                char-small character special file 1 3 666
                fifo fifo 0 0 644
                socket socket 0 0 755
                """;

        @Test
        void specialFiles() throws Exception {
            sh("""
                    mkdir special && cd special
                    mknod -m 666 char-small c 1 3; mknod -m 600 char-large c 300 70000
                    mknod -m 640 block-small b 8 1; mknod -m 640 block-large b 4000 1048000
                    mkfifo -m 644 fifo
                    umask 022; /usr/bin/python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('socket')"
                    """);
            assertEquals(SPECIAL_FILES, sh("cd special && stat -c '%n %F %t %T %a' *"));
            assertEquals("crw------- 300, 70000\n", sh("ls -l special/char-large | awk '{print $1, $5, $6}'"));
            // the FIFO is one: a reader blocks until the writer opens it, then gets what it wrote
            // (waited for: an unwaited writer can still hold its cwd on the mount when the unmount comes)
            assertEquals("through the fifo\n", sh("echo through the fifo > special/fifo & cat special/fifo; wait"));
            // and the socket is one the kernel connects to while its server listens
            assertEquals("hello\n", sh("""
                    cd special && /usr/bin/python3 - <<'EOF'
                    import os, socket
                    os.unlink('socket'); os.umask(0o022)
                    s = socket.socket(socket.AF_UNIX); s.bind('socket'); s.listen(1)
                    c = socket.socket(socket.AF_UNIX); c.connect('socket')
                    a, _ = s.accept(); c.sendall(b'hello\\n'); print(a.recv(16).decode(), end='')
                    EOF
                    """));
            assertEquals("ok\n", sh("mknod special/c2 c 1 3 && rm special/c2 && echo ok"));
            specialFilesMade = true;
        }

        @Test
        void fallocateModes() throws Exception {
            int bs = blockSize();
            // the reference: the same edits done by writing zeros, then compared byte for byte
            String out = sh("""
                    bs=%d
                    head -c $((5 * bs + 100)) /dev/urandom > f; cp f ref
                    zeros() { /usr/bin/python3 -c "f = open('ref', 'r+b'); f.seek($1); f.write(bytes($2))"; }
                    blocks() { stat -c %%b f; }
                    b0=$(blocks)
                    fallocate -p -o $((bs / 2)) -l $((2 * bs)) f; zeros $((bs / 2)) $((2 * bs))
                    b1=$(blocks)
                    [ $((b0 - b1)) -eq $((bs / 512)) ] && echo "punch freed the one whole block"
                    fallocate -p -o $((4 * bs)) -l $((10 * bs)) f; zeros $((4 * bs)) $((bs + 100))
                    [ $((b1 - $(blocks))) -eq $((2 * bs / 512)) ] && echo "punch to the end freed the last two"
                    cmp f ref && echo "punched bytes read as zeros"; stat -c %%s f
                    fallocate -z -o 10 -l $((2 * bs)) f; zeros 10 $((2 * bs)); cmp f ref && echo "zero range"
                    fallocate -z -o $((5 * bs)) -l 300 f; zeros $((5 * bs)) 300; cmp f ref && echo "zero range grows"
                    stat -c %%s f
                    fallocate -n -o $((4 * bs)) -l $((bs + 300)) f && echo "keep size inside the file"
                    cmp f ref && stat -c %%s f
                    fallocate -n -o 0 -l $((8 * bs)) f; echo "keep size past the end: $?"
                    fallocate -l $((8 * bs)) f && stat -c %%s f
                    fallocate -c -o 0 -l $bs f; echo "collapse: $?"; fallocate -i -o 0 -l $bs f; echo "insert: $?"
                    """.formatted(bs));
            assertEquals(("""
                    punch freed the one whole block
                    punch to the end freed the last two
                    punched bytes read as zeros
                    %d
                    zero range
                    zero range grows
                    %d
                    keep size inside the file
                    %d
                    keep size past the end: 1
                    %d
                    collapse: 1
                    insert: 1
                    """).formatted(5 * bs + 100, 5 * bs + 300, 5 * bs + 300, 8 * bs), out);
        }

        @Test
        void renameExchange() throws Exception {
            sh("mkdir -p a/x/deep b && echo file > b/y && touch a/x/deep/f");
            String rename = "/usr/bin/python3 -c \"import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True)"
                    + "; r = libc.renameat2(-100, b'a/x', -100, b'b/y', 2)"
                    + "; print(os.strerror(ctypes.get_errno()) if r else 'exchanged')\"";
            if (libfuse2()) {
                // libfuse 2 has no rename flags: the kernel answers EINVAL (docs/fuse.md), and nothing moves
                assertEquals("Invalid argument\na directory 3\nb directory 2\na/x directory 3\nb/y regular file 1\n",
                        sh(rename + "; stat -c '%n %F %h' a b a/x b/y"));
                return;
            }
            String out = sh(rename + "; stat -c '%n %F %h' a b a/x b/y; ls b/y; cat a/x; ls -d b/y/..");
            assertEquals("""
                    exchanged
                    a directory 2
                    b directory 3
                    a/x regular file 1
                    b/y directory 3
                    deep
                    file
                    b/y/..
                    """, out);
            assertEquals("b\n", sh("cd b/y/.. && basename \"$(pwd -P)\""));
            assertEquals("b/y/deep/f\n", sh("find b -name f"));
        }

        @Test
        void aNonOwnersWriteClearsSetIdBits() throws Exception {
            String out = sh(("""
                    echo start > s; chmod 6777 s; %1$s sh -c 'echo appended >> s'; stat -c '%%A' s
                    chmod 6777 s; %1$s sh -c 'printf X | dd of=s conv=notrunc status=none'; stat -c '%%A' s
                    chmod 6777 s; %1$s /usr/bin/python3 -c "import os; fd = os.open('s', os.O_RDWR); os.write(fd, b'y')"
                    stat -c '%%A' s
                    chmod 6767 s; %1$s sh -c 'echo x >> s'; stat -c '%%A' s
                    chmod 6777 s; echo root >> s; stat -c '%%A' s
                    """).formatted(AS_NOBODY));
            assertEquals("""
                    -rwxrwxrwx
                    -rwxrwxrwx
                    -rwxrwxrwx
                    -rwxrw-rwx
                    -rwsrwsrwx
                    """, out);
        }

        @Test
        void relatimeByDefault() throws Exception {
            String out = sh("""
                    echo data > r; touch -a -d '2001-01-01' r; stat -c %X r
                    cat r > /dev/null; [ "$(stat -c %X r)" -gt 978307200 ] && echo "read after mtime: updated"
                    a=$(stat -c %x r); cat r > /dev/null; [ "$(stat -c %x r)" = "$a" ] && echo "second read: kept"
                    touch -a -d '2001-01-01' . ; ls > /dev/null
                    [ "$(stat -c %X .)" -gt 978307200 ] && echo "listing: updated"
                    """);
            assertEquals("978307200\nread after mtime: updated\nsecond read: kept\nlisting: updated\n", out);
        }
    }

    @Nested
    class At4KiB extends OneMount {
        @Override
        int blockSize() {
            return 4096;
        }
    }

    @Nested
    class At1MiB extends OneMount {
        @Override
        int blockSize() {
            return 1 << 20;
        }
    }

    /** strictatime updates on every read, noatime never; the mount option is ours, not only the kernel's flag. */
    @Test
    void strictatimeAndNoatime() throws Exception {
        Path dir = Files.createTempDirectory("ext3ns-atime");
        try {
            Path image = TestImages.mke2fs(dir.resolve("a.img"), "16M", 4096);
            String script = """
                    echo data > r; touch -a -d '2001-01-01' r
                    cat r > /dev/null; stat -c %X r
                    touch -a -d '2030-01-01' r; cat r > /dev/null; stat -c %X r
                    """;
            MountProcess.withMount(image, dir.resolve("mnt"), "strictatime", m -> {
                String[] times = Shell.bash(m.mountPoint, script).check().out().split("\n");
                assertTrue(Long.parseLong(times[0]) > 978307200L, "strictatime: first read updated");
                assertTrue(Long.parseLong(times[1]) < 1893456000L, "strictatime: atime ahead of now updated too");
            });
            MountProcess.withMount(image, dir.resolve("mnt"), "noatime", m ->
                    assertEquals("978307200\n1893456000\n", Shell.bash(m.mountPoint, script).check().out()));
        } finally {
            Shell.run(null, List.of("rm", "-rf", dir.toString()), 60);
        }
    }
}
