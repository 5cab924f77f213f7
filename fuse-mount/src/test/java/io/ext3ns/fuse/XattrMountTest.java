package io.ext3ns.fuse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Extended attributes through the mount (both transports: the build runs every test once per transport): values in
 * the inode and overflowing into a block, ENOSPC for one that fits nowhere, listxattr and getxattr size probing
 * (size 0 answers the length, a short buffer ERANGE), removal freeing the block; fsck.ext3ns and (4 KiB) e2fsck -fn
 * clean afterwards. And attributes that mke2fs -d and the kernel's ext3 wrote read back through our mount.
 */
class XattrMountTest {
    @TempDir
    Path tmp;

    /** listxattr/getxattr called as a program calls them: size 0 first, then a buffer one byte short, then enough. */
    private static final String PROBE = """
            import ctypes, os, sys
            libc = ctypes.CDLL(None, use_errno=True)
            p = sys.argv[1].encode()
            need = libc.listxattr(p, None, 0)
            short = ctypes.create_string_buffer(max(need - 1, 1))
            r = libc.listxattr(p, short, need - 1)
            print("list", need, r, os.strerror(ctypes.get_errno()) if r < 0 else "")
            full = ctypes.create_string_buffer(need)
            print("names", sorted(libc.listxattr(p, full, need) and full.raw[:need].decode().split("\\0")[:-1]))
            vneed = libc.getxattr(p, b"user.small", None, 0)
            r = libc.getxattr(p, b"user.small", ctypes.create_string_buffer(1), 1)
            print("value", vneed, r, os.strerror(ctypes.get_errno()) if r < 0 else "")
            """;

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void attributesInTheInodeAndInABlockWithSizeProbing(int blockSize) throws Exception {
        Path image = blockSize == 4096 ? TestImages.mke2fs(tmp.resolve("x.img"), "64M", blockSize)
                : TestImages.ext3ns(tmp.resolve("x.img"), 128L << 20, blockSize);
        Files.writeString(tmp.resolve("probe.py"), PROBE);
        int tooBig = blockSize == 4096 ? 5000 : 65500;
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            Path mnt = mount.mountPoint;
            Shell.bash(mnt, "touch f g && setfattr -n user.small -v tiny f && setfattr -n trusted.t -v 0x00ff f"
                    + " && setfattr -n user.big -v \"$(head -c 3000 /dev/zero | tr '\\0' b)\" f"
                    + " && setfattr -n user.gone -v \"$(head -c 2000 /dev/zero | tr '\\0' g)\" g").check();
            String probe = Shell.bash(mnt, "python3 " + tmp.resolve("probe.py") + " f").check().out();
            int need = "user.small\0trusted.t\0user.big\0".length();
            assertEquals("list " + need + " -1 Numerical result out of range\n"
                    + "names ['trusted.t', 'user.big', 'user.small']\n"
                    + "value 4 -1 Numerical result out of range\n", probe);
            assertEquals("b".repeat(3000), Shell.bash(mnt, "getfattr --only-values -n user.big f").check().out());
            Shell.Result tooLarge = Shell.bash(mnt, "setfattr -n user.huge -v \"$(head -c " + tooBig
                    + " /dev/zero | tr '\\0' h)\" f");
            assertTrue(tooLarge.err().contains("No space left on device"), tooLarge.err());
            long before = availableKb(mnt);
            Shell.bash(mnt, "setfattr -x user.gone g").check();
            assertEquals(before + blockSize / 1024, availableKb(mnt), "the emptied attribute block is freed");
            assertEquals("", Shell.bash(mnt, "getfattr -d g").check().out());
        });
        if (blockSize == 4096) {
            String stat = Shell.run(null, List.of("debugfs", "-R", "ea_list f", image.toString()), 60).check().out();
            assertTrue(stat.contains("user.small (4) = \"tiny\"") && stat.contains("user.big (3000)"), stat);
        }
    }

    /** mke2fs -d copies a tree's attributes; the kernel's ext3 writes more: our mount shows what the kernel shows. */
    @Test
    void attributesMke2fsAndTheKernelWroteReadBack() throws Exception {
        Path tree = Files.createDirectories(tmp.resolve("tree"));
        Shell.bash(tree, "echo a > a && setfattr -n trusted.from -v mke2fs a"
                + " && setfattr -n trusted.big -v \"$(head -c 2500 /dev/zero | tr '\\0' m)\" a").check();
        Path image = tmp.resolve("k.img");
        Shell.run(null, List.of("mke2fs", "-q", "-F", "-t", "ext3", "-b", "4096", "-d", tree.toString(),
                image.toString(), "64M"), 120).check();
        Path kmnt = Files.createDirectories(tmp.resolve("kmnt"));
        onKernel(image, kmnt, "loop", "setfattr -n user.k -v kernel a && mkdir d"
                + " && setfacl -m u:65534:rwx -d -m g:0:rx d && touch d/inherits"
                + " && setfattr -n user.blk -v \"$(head -c 1500 /dev/zero | tr '\\0' k)\" d");
        // Through libfuse 2 the mount is noacl (no way to have the kernel enforce ACLs): the ACLs are not shown
        // there, and this kernel no longer has a noacl to compare with, so only the other names are compared.
        boolean noacl = System.getProperty(MountProcess.TRANSPORT_PROPERTY, "").equals("libfuse2");
        // by name: readdir's order differs (the kernel walks mke2fs's htree in hash order)
        String dump = "for f in $(find . -path ./lost+found -prune -o -print | sort); do "
                + (noacl ? "getfattr -d -m '^(user|trusted)[.]' \"$f\"; done 2>&1"
                        : "getfattr -d -m- \"$f\"; getfacl -n \"$f\"; done 2>&1");
        String kernel = onKernel(image, kmnt, "loop,ro", dump);
        assertTrue(kernel.contains("trusted.from=\"mke2fs\"") && kernel.contains("user.k=\"kernel\"")
                && (noacl || kernel.contains("default:group:0:r-x")), kernel);
        MountProcess.withMount(image, tmp.resolve("mnt"), "", mount -> {
            assertEquals(kernel, Shell.bash(mount.mountPoint, dump).check().out());
            if (noacl) {
                assertEquals("", Shell.bash(mount.mountPoint, "getfattr -m- -d d d/inherits | grep posix_acl; true")
                        .check().out(), "a noacl mount shows no ACL");
            }
        });
    }

    private static String onKernel(Path image, Path mnt, String options, String script) throws Exception {
        Shell.run(null, List.of("mount", "-o", options, "-t", "ext3", image.toString(), mnt.toString()), 60).check();
        try {
            return Shell.bash(mnt, script).check().out();
        } finally {
            Shell.run(null, List.of("umount", mnt.toString()), 60);
            MountProcess.forceUnmount(mnt);
        }
    }

    private static long availableKb(Path mnt) throws Exception {
        return Long.parseLong(Shell.bash(mnt, "sync; df -k --output=avail . | tail -1").check().out().trim());
    }
}
