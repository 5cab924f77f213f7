package io.ext3ns.fuse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shell tools behave on our mount exactly as on the kernel's own ext3 driver: the same script, run on a kernel
 * mount and on ours of the same kind of image, prints the same transcript (outputs, error messages, exit codes,
 * sizes, modes, link counts). Plus ENOSPC, EROFS and df, which need their own set-ups.
 */
class ShellSemanticsTest {
    /** Prints every command, its output with errors, and its status; stat without inode numbers or dir sizes. */
    static final String SCRIPT = """
            export TZ=UTC LC_ALL=C
            t() { echo "\\$ $*"; "$@" 2>&1; echo "-> $?"; }
            st() { for f in "$@"; do
                     if [ -d "$f" ] && [ ! -L "$f" ]; then stat -c '%n %F - %a %h' "$f"; else stat -c '%n %F %s %a %h' "$f"; fi
                   done; }
            mkdir d && echo hello > d/f
            t mv d/f d/g; t ls d
            t mv d/g e; t ls
            t ln e hard; st e hard
            t ln e hard
            t ln -s e soft; t readlink soft; t cat soft
            t ln -s e soft
            t chmod 640 e; st e hard
            t chmod u+s,g+w e; st hard
            t truncate -s 100000 e; st e; t truncate -s 3 e; t cat e; echo; st e
            t touch -d '2010-05-06 07:08:09' e; stat -c '%n %y' e hard
            t touch -d '1999-12-31 23:59:59.5' hard; stat -c '%n %y' e
            t touch -a -d '2011-01-01 01:01:01' e; stat -c '%n %x %y' e
            t touch -m -d '2012-02-02 02:02:02' hard; stat -c '%n %x %y' e
            t cat missing
            t mkdir d
            mkdir -p x/y/z && echo deep > x/y/z/f && ln -s y x/ylink
            t rmdir x
            t rm -r x; t ls
            t mv e d/; st d/e hard
            t rm hard; st d/e
            t mv d d/sub
            t ln d dlink
            t rmdir d/e
            t rm d
            echo abc > d/new; t mv d/new soft; st soft; t cat soft
            mkdir m1 m2 && echo 1 > m2/f
            t mv m1 m2; t mv m2 m1; t ls m1
            t mv nowhere d
            mkdir p q && touch q/x; t mv -T p q; t mv -T q p; t ls p
            t ln -s "$(printf 'a%.0s' $(seq 1 300))" longname; t ls
            t touch "$(printf 'n%.0s' $(seq 1 256))"
            t chmod 0 d; st d; t chmod 755 d
            t ls -R; st . d soft
            # Every redirection and the tools that overwrite in place; O_TRUNC must cut and set mtime.
            printf abcdef > t; printf x > t; t cat t; echo; st t
            echo "hello world" > u; echo hi > u; t cat u
            touch -d '2000-01-01' u; : > u; [ "$(stat -c %Y u)" -gt 946684800 ] && echo "u: O_TRUNC set mtime"; st u
            printf a > v; printf b >> v; printf c >> v; t cat v; echo
            printf 0123456789 > w; exec 3<>w; printf AB >&3; exec 3>&-; t cat w; echo; st w
            t python3 -c "import os; fd = os.open('w', os.O_RDWR | os.O_CREAT | os.O_TRUNC); os.write(fd, b'z'); os.close(fd)"
            t cat w; echo; st w
            echo long-long-content > c1; echo short > c2; t cp c2 c1; t cat c1; st c1
            t cp --sparse=always c1 c3; t cmp c1 c3
            head -c 300000 /dev/zero | tr '\\0' q > big; echo small > big; st big
            printf 0123456789 > n; printf XY | dd of=n bs=1 seek=3 conv=notrunc status=none; t cat n; echo; st n
            printf XY | dd of=n bs=1 seek=3 status=none; t cat n; echo; st n
            t truncate -s 5 c1; t cat c1; echo; t truncate -s +3 c1; st c1; t truncate -s 0 c1; st c1
            # The errno of each failing call, as its message.
            t cat d; t rmdir soft; t truncate -s 1 d; t ln -s x soft
            t bash -c 'echo x > d'; t bash -c 'echo x > missing/f'; t bash -c 'echo x > soft/f'
            t mkdir soft/x; t rm -d d; t mv d soft/x; t unlink d
            # Permission checks as the kernel makes them (root too: X_OK needs an x bit), and for another user.
            echo data > p600; chmod 600 p600; t test -x p600; t test -r p600; t test -w p600
            chmod 755 .; t setpriv --reuid=65534 --regid=65534 --clear-groups cat p600
            t setpriv --reuid=65534 --regid=65534 --clear-groups touch nobody-file
            chmod 1777 d; t setpriv --reuid=65534 --regid=65534 --clear-groups touch d/nobody; st d/nobody
            t setpriv --reuid=65534 --regid=65534 --clear-groups rm -f d/e; t rm d/nobody
            # A file unlinked while open: its name goes at once, the descriptor keeps working (fstat too), and its
            # directory can be removed.
            mkdir hr; echo kept > hr/f; exec 4<>hr/f; t rm hr/f; t ls -a hr; echo more >&4
            t python3 -c "import os; print(os.pread(4, 100, 0), os.fstat(4).st_size)"
            t rmdir hr; t python3 -c "import os; print(os.pread(4, 100, 0))"; exec 4>&-; t ls -a
            # Which operations change mtime and ctime of what (the kernel's clock ticks every few ms: wait 20 ms).
            chg() { local f=$1; shift; local m0 c0 m1 c1; m0=$(stat -c %y "$f"); c0=$(stat -c %z "$f"); sleep 0.02
                    "$@" > /dev/null 2>&1; m1=$(stat -c %y "$f"); c1=$(stat -c %z "$f")
                    echo "$* => $f: mtime $([ "$m0" = "$m1" ] && echo same || echo changed)," \
                         "ctime $([ "$c0" = "$c1" ] && echo same || echo changed)"; }
            mkdir tm; echo x > tm/f
            chg tm/f chmod 600 tm/f; chg tm/f chmod 600 tm/f; chg tm/f chown 0:0 tm/f; chg tm/f ln tm/f tm/g
            chg tm/f rm tm/g; chg tm/f truncate -s 10 tm/f; chg tm/f truncate -s 10 tm/f; chg tm/f cat tm/f
            chg tm/f bash -c 'echo y >> tm/f'; chg tm/f touch -d 2001-01-01 tm/f; chg tm/f touch tm/f
            chg tm/f bash -c ': > tm/f'; chg tm/f bash -c 'printf "" >> tm/f'
            chg tm mkdir tm/sub; chg tm rmdir tm/sub; chg tm touch tm/new; chg tm rm tm/new; chg tm ln -s x tm/sl
            chg tm mv tm/f tm/f2; ln tm/f2 tm/keep; chg tm/keep mv tm/f2 tm/f3; chg tm ls tm; chg tm chmod 755 tm
            mkdir tm/a tm/b; chg tm/b mv tm/a tm/b/; chg tm/b mv tm/b/a tm/a; chg tm mv tm/a tm/b/a2
            # Special files: FIFOs, devices with old (< 256) and new numbers, a socket bound by python.
            mkdir sp && cd sp
            t mknod -m 644 cdev c 1 3; t mknod -m 600 cbig c 300 70000; t mknod -m 640 bdev b 8 1
            t mknod bbig b 4000 1048000; t mkfifo -m 600 fifo; t mknod cdev c 1 3
            t /usr/bin/python3 -c "import os, socket; os.umask(0o022); socket.socket(socket.AF_UNIX).bind('sock')"
            stat -c '%n %F %t %T %a %s %h' bbig bdev cbig cdev fifo sock; t ls -l --time-style=+X
            t rm cdev fifo sock; t ls
            # fallocate: ext3 punches holes (blocks counted per MiB freed, the same at any block size).
            head -c 3145728 /dev/zero | tr '\\0' a > fa; b0=$(stat -c %b fa)
            t fallocate -p -o 1048576 -l 1048576 fa; b1=$(stat -c %b fa); echo "freed $((b0 - b1)) sectors"
            t fallocate -p -o 2097152 -l 9999999 fa; echo "freed $((b1 - $(stat -c %b fa))) sectors"; st fa
            t fallocate -p -o 10 -l 20 fa; head -c 40 fa | od -An -c; t cmp -n 2097152 -i 1048576:0 fa /dev/zero
            t fallocate -c -o 0 -l 1048576 fa; t fallocate -i -o 0 -l 1048576 fa; t fallocate -x -l 10 fa
            t fallocate -p -o 0 -l 10 missing; t fallocate -p -l 10 .
            # A non-owner's write clears set-id bits: through O_WRONLY (>>, dd) and O_RDWR; root keeps them.
            nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
            echo start > s; chmod 6777 s; nobody sh -c 'echo more >> s'; stat -c '%n %A' s
            chmod 6777 s; nobody sh -c 'printf X | dd of=s conv=notrunc status=none'; stat -c '%n %A' s
            chmod 6777 s; nobody /usr/bin/python3 -c "import os; os.write(os.open('s', os.O_RDWR), b'y')"
            stat -c '%n %A' s; chmod 6767 s; nobody sh -c 'echo g >> s'; stat -c '%n %A' s
            chmod 6777 s; echo root >> s; stat -c '%n %A' s; t cat s
            # atime under relatime (the default): a read after a change sets it, a second read does not.
            echo data > at; touch -a -d '2001-01-01' at; cat at > /dev/null
            [ "$(stat -c %X at)" -gt 978307200 ] && echo "read after a change: atime set"
            a=$(stat -c %x at); cat at > /dev/null; [ "$(stat -c %x at)" = "$a" ] && echo "second read: atime kept"
            touch -a -d '2001-01-01' . ; ls > /dev/null; [ "$(stat -c %X .)" -gt 978307200 ] && echo "listing: set"
            cd ..
            # Names are bytes: Latin-1 'é' and UTF-8 'é' are two files; other bytes in names, targets, xattr names.
            mkdir nb && cd nb
            l=$(printf 'caf\\351'); u=$(printf 'caf\\303\\251'); s=$(printf '\\377\\376x\\200')
            t touch "$l" "$u"; t mkdir "$s"; t ln -s "m$l" "$s/lnk$l"; echo latin > "$l"; echo utf > "$u"
            t mv "$l" "$s/m$l"; t cat "$s/lnk$l"; ls -a | od -An -c; ls -a "$s" | od -An -c
            t setfattr -n "user.$l" -v 1 "$u"; getfattr -d -m- "$u" | od -An -c
            t rm "$u"; t cat "$s/lnk$l"; t mv "$s/m$l" "$l"; t cat "$s/lnk$l"; readlink "$s/lnk$l" | od -An -c
            t rm -r "$s" "$l"; t ls -a
            cd ..
            # Extended attributes (ext3's user_xattr and acl are default mount options) and their errnos.
            touch xa
            t setfattr -n user.colour -v blue xa; t setfattr -n trusted.t -v 0x0102 xa; t setfattr -n user.a -v 1 xa
            t getfattr -d -m- xa
            t getfattr -n user.missing xa
            t sh -c 'setfattr -n user.big -v "$(head -c 70000 /dev/zero | tr "\\0" b)" xa'
            t setfattr -x user.colour xa; t setfattr -x user.colour xa
            t setfattr -n foo.bar -v 1 xa; t setfattr -n user. -v 1 xa
            t getfattr -d -m- xa
            """;

    /**
     * renameat2(RENAME_EXCHANGE), by python (coreutils 9.1's mv has no --exchange): names swap, '..' of exchanged
     * directories follows them, the parents' link counts change. Apart from SCRIPT because libfuse 2 cannot pass
     * it (no rename flags: the kernel answers EINVAL, docs/fuse.md).
     */
    static final String EXCHANGE_SCRIPT = """
            export TZ=UTC LC_ALL=C
            x() { /usr/bin/python3 -c "import ctypes, os, sys; libc = ctypes.CDLL(None, use_errno=True)
            r = libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2)
            print(os.strerror(ctypes.get_errno()) if r else 'exchanged')" "$@"; }
            mkdir -p xa/dir/deep xb && echo file > xb/file
            x xa/dir xb/file; stat -c '%n %F %h' xa xb xa/dir xb/file; cat xa/dir; ls xb/file
            mkdir xa/dir2; x xa/dir2 xb/file; stat -c '%n %F %h' xa xb xa/dir2 xb/file; ls xa/dir2
            x xa/dir2 xa/dir; x xa/dir xb/missing; x xa/dir xa/dir/deep; ls -R xa xb
            """;

    /**
     * fallocate's other modes: the kernel's ext3 refuses them all (EOPNOTSUPP: it preallocates only in extent
     * files), we serve them (docs/fuse.md), so the judge is the kernel's ext4, where they exist. Sizes, contents and
     * "blocks cover the size" compare; block counts do not (extent tree against indirect blocks).
     */
    static final String FALLOCATE_SCRIPT = """
            export TZ=UTC LC_ALL=C
            t() { echo "\\$ $*"; "$@" 2>&1; echo "-> $?"; }
            covered() { [ "$(stat -c %b "$1")" -ge $(( $(stat -c %s "$1") / 512 )) ] && echo "$1: blocks cover it"; }
            t fallocate -l 3000000 pre; stat -c %s pre; covered pre; t cmp -n 3000000 pre /dev/zero
            head -c 2200000 /dev/zero | tr '\\0' b > z
            t fallocate -z -o 1000 -l 1048576 z; stat -c %s z; covered z; od -An -c z | uniq
            t fallocate -z -o 2199990 -l 30 z; stat -c %s z; covered z; tail -c 50 z | od -An -c
            t fallocate -z -n -o 0 -l 5 z; stat -c %s z; head -c 10 z | od -An -c
            t fallocate -p -o 0 -l 1048576 z; t fallocate -n -o 0 -l 1048576 z; stat -c %s z; covered z
            """;

    /**
     * POSIX ACLs: the mode follows the mask, chmod follows into the ACL, a default ACL is inherited, and access is
     * decided by the ACL for a user who is neither owner nor in the group (nobody). Through libfuse 3 the kernel
     * enforces the ACLs in our xattrs (FUSE_CAP_POSIX_ACL), and the judge is the kernel's ext3 mounted with its default
     * acl; libfuse 2 has no such capability, so that mount is noacl and the judge is the kernel's ext3 mounted noacl.
     */
    static final String ACL_SCRIPT = """
            export TZ=UTC LC_ALL=C
            t() { echo "\\$ $*"; "$@" 2>&1; echo "-> $?"; }
            st() { for f in "$@"; do
                     if [ -d "$f" ]; then stat -c '%n %F - %a %h' "$f"; else stat -c '%n %F %s %a %h' "$f"; fi
                   done; }
            nob() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
            echo secret > acl; chmod 600 acl
            t nob cat acl
            t setfacl -m u:65534:r acl; t getfacl -n acl; st acl
            t nob cat acl; t nob sh -c 'echo x >> acl'
            t chmod 600 acl; t getfacl -n acl; t nob cat acl
            t chmod 640 acl; t getfacl -n acl
            t setfacl -m u::rw,g::r,o::- acl; t getfattr -d -m- acl; st acl
            mkdir dacl; t setfacl -d -m u:65534:rx dacl; touch dacl/inh; mkdir dacl/sub
            t getfacl -n dacl/inh dacl/sub; st dacl/inh dacl/sub
            t setfacl -d -m u:65534:r acl; t setfacl -b dacl; t getfacl -n dacl
            """;

    /**
     * The kernel's transcripts, made once per run (they depend on neither our block size nor our transport): SCRIPT,
     * EXCHANGE_SCRIPT (in a new directory) and ACL_SCRIPT on ext3, FALLOCATE_SCRIPT on ext4.
     */
    private static List<String> kernelTranscripts;

    @TempDir
    Path tmp;

    private List<String> kernelTranscripts() throws Exception {
        if (kernelTranscripts == null) {
            String sep = "\n--\n";
            // The build runs this class once per transport: the kernel's answers for these exact scripts on this
            // exact kernel are kept in target/ and made once per build.
            Path saved = Path.of("target", "kernel-transcripts-" + kernelTranscriptKey() + ".txt");
            String ext3;
            String ext4;
            if (Files.exists(saved)) {
                String[] both = Files.readString(saved).split("\n==\n", -1);
                ext3 = both[0];
                ext4 = both[1];
            } else {
                ext3 = onKernel("ext3", mnt -> Shell.bash(mnt, SCRIPT).check().out() + sep
                        + Shell.bash(Files.createDirectories(mnt.resolve("xchg")), EXCHANGE_SCRIPT).check().out()
                        + sep + Shell.bash(Files.createDirectories(mnt.resolve("acls")), ACL_SCRIPT).check().out());
                ext4 = onKernel("ext4", mnt -> Shell.bash(mnt, FALLOCATE_SCRIPT).check().out());
                if (Files.isDirectory(saved.getParent())) {
                    Path part = Files.createTempFile(saved.getParent(), "kernel-transcripts", ".part");
                    Files.writeString(part, ext3 + "\n==\n" + ext4);
                    Files.move(part, saved, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
            }
            String[] parts = ext3.split(sep, -1);
            kernelTranscripts = List.of(parts[0], parts[1], ext4, parts[2]);
        }
        return kernelTranscripts;
    }

    /** The scripts and the running kernel's release and version: what the kernel's transcripts depend on. */
    private static String kernelTranscriptKey() throws Exception {
        String kernel = Files.readAllLines(Path.of("/proc/sys/kernel/osrelease")) + " " + Files.readAllLines(
                Path.of("/proc/sys/kernel/version")); // not readString: it stops early on /proc files (size 0)
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest((kernel + SCRIPT + EXCHANGE_SCRIPT
                + ACL_SCRIPT + FALLOCATE_SCRIPT).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(digest, 0, 12);
    }

    private interface OnMount {
        String run(Path mountPoint) throws Exception;
    }

    private String onKernel(String type, OnMount body) throws Exception {
        Path kernelImage = tmp.resolve("kernel-" + type + ".img");
        Shell.run(null, List.of("mke2fs", "-q", "-F", "-t", type, "-b", "4096", kernelImage.toString(), "64M"), 120)
                .check();
        Path kernelMnt = Files.createDirectories(tmp.resolve("kmnt-" + type));
        Shell.run(null, List.of("mount", "-o", "loop", "-t", type, kernelImage.toString(), kernelMnt.toString()),
                60).check();
        try {
            return body.run(kernelMnt);
        } finally {
            Shell.run(null, List.of("umount", kernelMnt.toString()), 60); // the loop device auto-detaches
            MountProcess.forceUnmount(kernelMnt);
        }
    }

    /**
     * At 4 KiB on an image mke2fs made, and at 1 MiB on one of ours (no kernel mounts that: same transcript).
     * allow_other and default_permissions: another user (nobody) writes, and the kernel checks permissions as on
     * its own ext3.
     */
    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void sameTranscriptAsTheKernelDriver(int blockSize) throws Exception {
        List<String> expected = kernelTranscripts();
        Path image = blockSize == 4096 ? TestImages.mke2fs(tmp.resolve("ours.img"), "64M", blockSize)
                : TestImages.ext3ns(tmp.resolve("ours.img"), 128L << 20, blockSize);
        MountProcess.withMount(image, tmp.resolve("mnt"), "allow_other,default_permissions", mount -> {
            Path mnt = mount.mountPoint;
            assertEquals(expected.get(0), Shell.bash(mnt, SCRIPT).check().out());
            String exchange = Shell.bash(Files.createDirectories(mnt.resolve("xchg")), EXCHANGE_SCRIPT).check().out();
            if (PosixMountTest.libfuse2()) { // every exchange is EINVAL, and nothing moves
                assertEquals(4, exchange.split("Invalid argument\n", -1).length - 1, exchange);
                assertTrue(exchange.contains("xa/dir directory 3\n") && !exchange.contains("exchanged"), exchange);
            } else {
                assertEquals(expected.get(1), exchange);
            }
            assertEquals(expected.get(2), Shell.bash(Files.createDirectories(mnt.resolve("falloc")),
                    FALLOCATE_SCRIPT).check().out());
            String acl = Shell.bash(Files.createDirectories(mnt.resolve("acls")), ACL_SCRIPT).check().out();
            if (PosixMountTest.libfuse2()) { // libfuse 2 mounts are noacl (docs/fuse.md)
                assertMountedNoacl(acl);
            } else {
                assertEquals(expected.get(3), acl);
            }
        });
    }

    /**
     * What ext3 mounted noacl answers (this kernel's ext3 has no noacl left to compare with): a setfacl that needs
     * an ACL is "Operation not supported" (setfacl itself turns one the mode can express into a chmod), no ACL is
     * shown, the mode bits alone decide nobody's access.
     */
    private static void assertMountedNoacl(String transcript) {
        String[] steps = transcript.split("\\n(?=\\$ )");
        int named = 0;
        for (String step : steps) {
            if (step.startsWith("$ setfacl") && step.contains("65534")) { // a named entry cannot be had
                named++;
                assertTrue((step.contains("Operation not supported") || step.contains("Only directories"))
                        && !step.endsWith("-> 0"), transcript);
            }
            if (step.startsWith("$ nob cat acl")) {
                assertTrue(step.contains("Permission denied"), transcript);
            }
        }
        assertEquals(3, named, transcript);
        assertTrue(!transcript.contains("user:65534") && !transcript.contains("mask::")
                && !transcript.contains("posix_acl"), transcript);
        assertTrue(transcript.contains("acl regular file 7 600 1") && transcript.contains("dacl/inh regular empty file 0 644 1"),
                transcript);
    }

    @Test
    void fullVolumeGivesEnospcAndDfTracksSpace() throws Exception {
        Path image = TestImages.mke2fs(tmp.resolve("small.img"), "16M", 4096);
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            Path mnt = mount.mountPoint;
            long before = availableKb(mnt);
            Shell.bash(mnt, "head -c 5000000 /dev/urandom > five-mb && sync").check();
            long used = before - availableKb(mnt);
            assertTrue(used >= 4800 && used < 5400, "df sees the 5 MB written: " + used + " KiB");

            Shell.Result full = Shell.bash(mnt, "dd if=/dev/zero of=fill bs=1M");
            assertNotEquals(0, full.exit());
            assertTrue(full.err().contains("No space left on device"), full.err());
            Shell.bash(mnt, "rm fill five-mb && sync").check();
            assertEquals(before, availableKb(mnt), "space comes back after rm");
            Shell.bash(mnt, "echo still-writable > ok && cat ok").check();
        });
    }

    @Test
    void readOnlyMountGivesErofs() throws Exception {
        Path image = TestImages.mke2fs(tmp.resolve("ro.img"), "16M", 4096);
        MountProcess.withMount(image, tmp.resolve("mnt"), "rw",
                rw -> Shell.bash(rw.mountPoint, "echo kept > f").check());
        String before = Shell.bash(null, "md5sum < " + image).check().out();
        MountProcess.withMount(image, tmp.resolve("mnt"), "ro", ro -> {
            Path mnt = ro.mountPoint;
            assertEquals("kept\n", Shell.bash(mnt, "cat f").check().out());
            for (String write : List.of("touch g", "mkdir g", "rm f", "echo x >> f", "chmod 600 f", "mv f g")) {
                Shell.Result r = Shell.bash(mnt, write);
                assertNotEquals(0, r.exit(), write);
                assertTrue(r.err().contains("Read-only file system"), write + ": " + r.err());
            }
        });
        assertEquals(before, Shell.bash(null, "md5sum < " + image).check().out(), "a ro mount writes nothing");
    }

    private static long availableKb(Path mnt) throws Exception {
        String out = Shell.bash(mnt, "df -k --output=avail . | tail -1").check().out().trim();
        return Long.parseLong(out);
    }
}
