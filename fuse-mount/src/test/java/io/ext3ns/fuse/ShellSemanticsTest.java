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

    /** The kernel's transcript, made once per run: it does not depend on the block size or on our transport. */
    private static String kernelTranscript;
    private static String kernelAclTranscript;

    @TempDir
    Path tmp;

    private String kernelTranscript() throws Exception {
        if (kernelTranscript == null) {
            Path kernelImage = TestImages.mke2fs(tmp.resolve("kernel.img"), "64M", 4096);
            Path kernelMnt = Files.createDirectories(tmp.resolve("kmnt"));
            Shell.run(null, List.of("mount", "-o", "loop", "-t", "ext3", kernelImage.toString(), kernelMnt.toString()),
                    60).check();
            try {
                kernelTranscript = Shell.bash(kernelMnt, SCRIPT).check().out();
                kernelAclTranscript = Shell.bash(kernelMnt, ACL_SCRIPT).check().out();
            } finally {
                Shell.run(null, List.of("umount", kernelMnt.toString()), 60); // the loop device auto-detaches
                MountProcess.forceUnmount(kernelMnt);
            }
        }
        return kernelTranscript;
    }

    /** At 4 KiB on an image mke2fs made, and at 1 MiB on one of ours (no kernel mounts that: same transcript). */
    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void sameTranscriptAsTheKernelDriver(int blockSize) throws Exception {
        String expected = kernelTranscript();
        Path image = blockSize == 4096 ? TestImages.mke2fs(tmp.resolve("ours.img"), "64M", blockSize)
                : TestImages.ext3ns(tmp.resolve("ours.img"), 128L << 20, blockSize);
        boolean noacl = System.getProperty(MountProcess.TRANSPORT_PROPERTY, "").equals("libfuse2");
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            assertEquals(expected, Shell.bash(mount.mountPoint, SCRIPT).check().out());
            String acl = Shell.bash(mount.mountPoint, ACL_SCRIPT).check().out();
            if (noacl) {
                assertMountedNoacl(acl);
            } else {
                assertEquals(kernelAclTranscript, acl);
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
