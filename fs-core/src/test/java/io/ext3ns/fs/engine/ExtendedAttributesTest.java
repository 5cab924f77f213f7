package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.acl.PosixAcl;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.CheckReport;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.ExtendedAttributes;
import io.ext3ns.fs.disk.XattrEntry;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.LoopMount;
import io.ext3ns.sda.FileMember;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Extended attributes in ext3's format, judged by e2fsprogs and the kernel: what debugfs and the kernel's ext3 write
 * (in the inode, in a block, shared blocks, ACLs) reads back through the engine, with the entry hashes e2fsprogs
 * computed and the block hash the kernel computed (debugfs leaves h_hash 0); what the engine writes debugfs reads back and e2fsck -fn and fsck.ext3ns find clean, including
 * attributes that overflow into a block and a block freed when its last attribute goes; and the kernel's errnos.
 */
class ExtendedAttributesTest {
    /** A POSIX ACL in the VFS's xattr format: u::rw-, u:65534:r--, g::r--, m::r--, o::---. */
    static final byte[] ACL = acl(new int[][] {{1, 6, -1}, {2, 4, 65534}, {4, 4, -1}, {0x10, 4, -1}, {0x20, 0, -1}});

    @TempDir
    Path tmp;

    static byte[] acl(int[][] entries) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 8 * entries.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(2);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
        }
        return b.array();
    }

    private static byte[] bytes(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static long fileAcl(Path img, String path) throws Exception {
        Matcher m = Pattern.compile("File ACL: (\\d+)").matcher(E2fsprogs.debugfs(img, "stat " + path));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }

    private static byte[] readBlock(Path img, long block, int bs) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "r")) {
            byte[] b = new byte[bs];
            f.seek(block * bs);
            f.readFully(b);
            return b;
        }
    }

    @Test
    void debugfsAttributesReadBackWithTheHashesE2fsprogsComputed() throws Exception {
        Assumptions.assumeTrue(E2fsprogs.installed());
        Path img = Images.mke2fs(tmp.resolve("d.img"), 4096, 32L << 20, null, null);
        Path big = Files.write(tmp.resolve("big"), bytes(1500, 'b'));
        Path aclFile = Files.write(tmp.resolve("acl"), ACL);
        E2fsprogs.debugfsWrite(img, "write /dev/null f");
        E2fsprogs.debugfsWrite(img, "ea_set f user.a hello");
        E2fsprogs.debugfsWrite(img, "ea_set -f " + big + " f user.big");
        E2fsprogs.debugfsWrite(img, "ea_set f trusted.t xyz");
        E2fsprogs.debugfsWrite(img, "ea_set -f " + aclFile + " f system.posix_acl_access");
        long block = fileAcl(img, "f");
        assertNotEquals(0, block, "debugfs put the 1500-byte value in a block");

        // e2fsprogs' entry hashes and block hash, recomputed by our codec
        byte[] raw = readBlock(img, block, 4096);
        List<XattrEntry> entries = ExtendedAttributes.decodeBlock(raw, "block " + block);
        int[] hashes = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            XattrEntry e = entries.get(i);
            hashes[i] = ExtendedAttributes.entryHash(e.name(), e.value());
            assertEquals(e.storedHash(), hashes[i], "e_hash of " + new String(e.name(), StandardCharsets.UTF_8));
        }
        assertEquals(entries, entries.stream().sorted(ExtendedAttributesTest::order).toList(), "sorted as ext3");

        try (Ext3FileSystem fs = Images.open(img, true)) {
            long ino = fs.lookup(FileSystem.ROOT_INO, "f");
            assertArrayEquals("hello".getBytes(), fs.getxattr(ino, "user.a"));
            assertArrayEquals(bytes(1500, 'b'), fs.getxattr(ino, "user.big"));
            assertArrayEquals("xyz".getBytes(), fs.getxattr(ino, "trusted.t"));
            assertArrayEquals(ACL, fs.getxattr(ino, "system.posix_acl_access"), "ACL converted from ext3's form");
            assertEquals(List.of("system.posix_acl_access", "trusted.t", "user.a", "user.big"),
                    fs.listxattr(ino).stream().sorted().toList());
            assertEquals(Errno.ENODATA, assertThrows(FsException.class, () -> fs.getxattr(ino, "user.none")).errno());
        }
    }

    private static int order(XattrEntry a, XattrEntry b) {
        int c = Integer.compare(a.index(), b.index());
        c = c != 0 ? c : Integer.compare(a.name().length, b.name().length);
        return c != 0 ? c : Arrays.compareUnsigned(a.name(), b.name());
    }

    @Test
    void engineAttributesReadBackThroughDebugfsAndCheckClean() throws Exception {
        Assumptions.assumeTrue(E2fsprogs.installed());
        Path img = Images.mke2fs(tmp.resolve("w.img"), 4096, 32L << 20, null, null);
        long free;
        try (Ext3FileSystem fs = Images.open(img, false)) {
            free = fs.statfs().freeBlocks();
            long a = fs.create(FileSystem.ROOT_INO, "a", 0644, 0, 0);
            fs.setxattr(a, "user.small", "v1".getBytes(), 0);                    // in the inode
            fs.setxattr(a, "user.big", bytes(2000, 'x'), 0);                      // overflows into a block
            fs.setxattr(a, "trusted.t", "t".getBytes(), FileSystem.XATTR_CREATE);
            fs.setxattr(a, "system.posix_acl_access", ACL, 0);
            fs.setxattr(a, "user.small", "v2".getBytes(), FileSystem.XATTR_REPLACE);
            assertEquals(free - 1, fs.statfs().freeBlocks(), "one attribute block");
            assertEquals(8, fs.getattr(a).blocks512(), "the block counts in i_blocks");
            long b = fs.create(FileSystem.ROOT_INO, "b", 0644, 0, 0);
            fs.setxattr(b, "user.gone", bytes(3000, 'g'), 0);
            fs.removexattr(b, "user.gone");
            assertEquals(0, fs.getattr(b).blocks512(), "the emptied block is freed");
            assertEquals(Errno.ENODATA, assertThrows(FsException.class, () -> fs.removexattr(b, "user.gone")).errno());
        }
        Images.assertFsckClean(img);
        Images.assertOurFsckClean(img);
        String list = E2fsprogs.debugfs(img, "ea_list a");
        assertTrue(list.contains("user.small (2) = \"v2\""), list);
        assertTrue(list.contains("trusted.t (1) = \"t\""), list);
        assertTrue(list.contains("user.big (2000)"), list);
        assertTrue(list.contains("system.posix_acl_access"), list);
        Path got = tmp.resolve("got");
        ExternalTool.run("debugfs", "-R", "ea_get -f " + got + " a system.posix_acl_access", img.toString());
        // e2fsprogs writes id 0 where the kernel writes -1 (entries without an id): compare the entries
        assertEquals(PosixAcl.parse(ACL).entries(), PosixAcl.parse(Files.readAllBytes(got)).entries(),
                "debugfs converts our ACL back to the same one");
        assertEquals(0, fileAcl(img, "b"));
        try (Ext3FileSystem fs = Images.open(img, false)) {
            fs.unlink(FileSystem.ROOT_INO, "a");
            assertEquals(free, fs.statfs().freeBlocks(), "deleting the file freed its attribute block");
        }
        Images.assertFsckClean(img);
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void errnosAsTheKernelsExt3Gives(int bs) throws Exception {
        Path img = bs == 4096 ? Images.mke2fs(tmp.resolve("e.img"), bs, 32L << 20, null, null)
                : Images.ours(tmp.resolve("e.img"), bs, 256L << 20);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long f = fs.create(FileSystem.ROOT_INO, "f", 0644, 0, 0);
            fs.setxattr(f, "user.x", "1".getBytes(), 0);
            assertErrno(Errno.EEXIST, () -> fs.setxattr(f, "user.x", "2".getBytes(), FileSystem.XATTR_CREATE));
            assertErrno(Errno.ENODATA, () -> fs.setxattr(f, "user.y", "2".getBytes(), FileSystem.XATTR_REPLACE));
            assertErrno(Errno.ENODATA, () -> fs.getxattr(f, "user.y"));
            assertErrno(Errno.EOPNOTSUPP, () -> fs.setxattr(f, "foo.bar", "2".getBytes(), 0));
            assertErrno(Errno.EINVAL, () -> fs.setxattr(f, "user.", "2".getBytes(), 0));
            assertErrno(Errno.ERANGE, () -> fs.setxattr(f, "user." + "n".repeat(251), "2".getBytes(), 0));
            assertErrno(Errno.E2BIG, () -> fs.setxattr(f, "user.z", new byte[65537], 0));
            int tooBig = Math.min(bs, 1 << 16);
            assertErrno(Errno.ENOSPC, () -> fs.setxattr(f, "user.z", new byte[tooBig - 40], 0));
            assertErrno(Errno.EINVAL, () -> fs.setxattr(f, "system.posix_acl_access", new byte[] {2, 0, 0, 0, 1},
                    0));
            assertArrayEquals("1".getBytes(), fs.getxattr(f, "user.x"), "failed calls changed nothing");
            byte[] fits = bytes(tooBig - 200, 'f');
            fs.setxattr(f, "user.fits", fits, 0);
            assertArrayEquals(fits, fs.getxattr(f, "user.fits"));
        }
        Images.assertOurFsckClean(img);
        if (bs == 4096) {
            Images.assertFsckClean(img);
        }
    }

    private static void assertErrno(Errno want, org.junit.jupiter.api.function.Executable call) {
        assertEquals(want, assertThrows(FsException.class, call).errno());
    }

    /**
     * The kernel shares identical attribute blocks (h_refcount 2): changing one file's attributes gives it its own
     * block and leaves the other's intact; removing the other's frees the shared block.
     */
    @Test
    void kernelSharedBlockIsCopiedOnWriteAndFreedWithItsLastReference() throws Exception {
        Assumptions.assumeTrue(E2fsprogs.installed() && LoopMount.possible());
        Path img = Images.mke2fs(tmp.resolve("k.img"), 4096, 32L << 20, null, null);
        try (LoopMount m = LoopMount.readWrite(img, "ext3", tmp.resolve("kmnt"))) {
            Assumptions.assumeTrue(m.mounted(), m.result().toString());
            ExternalTool.Result r = ExternalTool.run("sh", "-c", "cd " + m.path() + " && touch p q && "
                    + "v=$(head -c 3000 /dev/zero | tr '\\0' s) && setfattr -n user.s -v \"$v\" p && "
                    + "setfattr -n user.s -v \"$v\" q && setfattr -n user.in -v inode p");
            assertEquals(0, r.exitCode(), r.output());
        }
        long shared = fileAcl(img, "p");
        assertEquals(shared, fileAcl(img, "q"), "the kernel shares the identical block");
        byte[] raw = readBlock(img, shared, 4096);
        assertEquals(2, ExtendedAttributes.header(raw).refcount());
        List<XattrEntry> entries = ExtendedAttributes.decodeBlock(raw, "block " + shared);
        int[] hashes = entries.stream().mapToInt(e -> ExtendedAttributes.entryHash(e.name(), e.value())).toArray();
        assertEquals(entries.get(0).storedHash(), hashes[0], "the kernel's e_hash");
        assertEquals(ExtendedAttributes.header(raw).hash(), ExtendedAttributes.blockHash(hashes), "the kernel's h_hash");
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long p = fs.lookup(FileSystem.ROOT_INO, "p");
            long q = fs.lookup(FileSystem.ROOT_INO, "q");
            assertArrayEquals("inode".getBytes(), fs.getxattr(p, "user.in"));
            long free = fs.statfs().freeBlocks();
            fs.setxattr(p, "user.s2", bytes(100, 't'), 0);
            assertEquals(free - 1, fs.statfs().freeBlocks(), "p got its own copy");
            assertArrayEquals(bytes(3000, 's'), fs.getxattr(q, "user.s"));
            fs.removexattr(q, "user.s");
            assertEquals(free, fs.statfs().freeBlocks(), "q's was the last reference to the shared block");
            fs.removexattr(p, "user.s");
            fs.removexattr(p, "user.s2");
            assertEquals(free + 1, fs.statfs().freeBlocks(), "p's copy freed too");
            assertArrayEquals("inode".getBytes(), fs.getxattr(p, "user.in"));
        }
        Images.assertFsckClean(img);
        Images.assertOurFsckClean(img);

        // fsck.ext3ns counts references: a wrong h_refcount is found (and e2fsck agrees)
        try (Ext3FileSystem fs = Images.open(img, false)) {
            fs.setxattr(fs.lookup(FileSystem.ROOT_INO, "p"), "user.b", bytes(3000, 'b'), 0);
        }
        long block = fileAcl(img, "p");
        byte[] raw2 = readBlock(img, block, 4096);
        ExtendedAttributes.setRefcount(raw2, 3);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.seek(block * 4096);
            f.write(raw2);
        }
        try (FileMember dev = new FileMember(img, true)) {
            CheckReport r = VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
            assertTrue(!r.clean() && r.remaining().toString().contains("reference count 3, should be 1"),
                    r.remaining().toString());
        }
        assertNotEquals(0, E2fsprogs.checkReadOnly(img).exitCode());
    }
}
