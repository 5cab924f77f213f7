package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FallocateMode;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.DeviceNumber;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.LoopMount;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * POSIX operations beyond the basics, on the engine, at 4 KiB (mke2fs's image, e2fsck -fn as the judge) and 1 MiB
 * (ours, fsck.ext3ns): special files with ext3's device numbers, fallocate's modes, renameat2's exchange, set-id bits
 * cleared by writes, and the atime policies. The kernel's ext3 reads our special files and we read its own.
 */
class PosixOperationsTest {
    private static final long ROOT = FileSystem.ROOT_INO;

    @TempDir
    Path tmp;

    private Path image(int bs) throws Exception {
        return bs == 4096 ? Images.mke2fs(tmp.resolve("p.img"), bs, 64L << 20, Images.PLAIN_FEATURES, null)
                : Images.ours(tmp.resolve("p.img"), bs, 160L << 20);
    }

    private static void assertClean(Path img, int bs) throws Exception {
        Images.assertOurFsckClean(img);
        if (bs == 4096) {
            Images.assertFsckClean(img);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void specialFilesKeepTheirTypeAndDeviceNumber(int bs) throws Exception {
        Path img = image(bs);
        int small = DeviceNumber.of(8, 1);
        int large = DeviceNumber.of(300, 70000);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long free = fs.statfs().freeBlocks();
            fs.mknod(ROOT, "c-small", Inode.S_IFCHR | 0620, small, 5, 6);
            fs.mknod(ROOT, "b-large", Inode.S_IFBLK | 0660, large, 0, 0);
            fs.mknod(ROOT, "fifo", Inode.S_IFIFO | 0644, 1234, 0, 0); // rdev ignored for non-devices
            fs.mknod(ROOT, "sock", Inode.S_IFSOCK | 0755, 0, 0, 0);
            fs.mknod(ROOT, "plain", 0644, 0, 0, 0); // type 0: a regular file, as vfs_mknod takes it
            assertEquals(Errno.EPERM, errno(() -> fs.mknod(ROOT, "dir", Inode.S_IFDIR | 0755, 0, 0, 0)));
            assertEquals(Errno.EEXIST, errno(() -> fs.mknod(ROOT, "fifo", Inode.S_IFIFO | 0644, 0, 0, 0)));

            Attr c = fs.getattr(fs.lookup(ROOT, "c-small"));
            assertEquals(Inode.S_IFCHR | 0620, c.mode());
            assertEquals(small, c.rdev());
            assertEquals(5, c.uid());
            assertEquals(large, fs.getattr(fs.lookup(ROOT, "b-large")).rdev());
            assertEquals(300, DeviceNumber.major(large));
            assertEquals(70000, DeviceNumber.minor(large));
            assertEquals(0, fs.getattr(fs.lookup(ROOT, "fifo")).rdev());
            assertEquals(Inode.S_IFIFO | 0644, fs.getattr(fs.lookup(ROOT, "fifo")).mode());
            assertEquals(Inode.S_IFSOCK | 0755, fs.getattr(fs.lookup(ROOT, "sock")).mode());
            assertEquals(Inode.S_IFREG | 0644, fs.getattr(fs.lookup(ROOT, "plain")).mode());
            assertEquals(6, fs.readdir(ROOT).stream().map(DirEntry::name)
                    .filter(n -> n.matches("c-small|b-large|fifo|sock|plain|lost\\+found")).count());
            assertEquals(free, fs.statfs().freeBlocks(), "special files take no blocks");
            fs.mknod(ROOT, "gone", Inode.S_IFCHR | 0600, DeviceNumber.of(1, 3), 0, 0);
            fs.unlink(ROOT, "gone"); // its i_block holds 0x103: not a block to free
            assertEquals(free, fs.statfs().freeBlocks());
        }
        assertClean(img, bs);
        try (Ext3FileSystem fs = Images.open(img, true)) {
            assertEquals(large, fs.getattr(fs.lookup(ROOT, "b-large")).rdev(), "read back after reopening");
        }
        if (bs == 4096) {
            // how ext3 stores them: old encoding in i_block[0], new in i_block[1]
            assertTrue(E2fsprogs.debugfs(img, "stat c-small").contains("Device major/minor number: 08:01"));
            assertTrue(E2fsprogs.debugfs(img, "stat b-large")
                    .contains("(New-style) Device major/minor number: 300:70000"));
        }
    }

    @Test
    void theKernelReadsOurDevicesAndWeReadTheKernels() throws Exception {
        if (!LoopMount.possible()) {
            return;
        }
        Path img = image(4096);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            fs.mknod(ROOT, "ours-old", Inode.S_IFCHR | 0600, DeviceNumber.of(1, 3), 0, 0);
            fs.mknod(ROOT, "ours-new", Inode.S_IFBLK | 0600, DeviceNumber.of(259, 300), 0, 0);
            fs.mknod(ROOT, "ours-fifo", Inode.S_IFIFO | 0600, 0, 0, 0);
        }
        try (LoopMount m = LoopMount.readWrite(img, "ext3", tmp.resolve("k"))) {
            assertTrue(m.mounted(), m.result().toString());
            Path d = m.path();
            assertEquals("character special file 1 3\nblock special file 259 300\nfifo 0 0\n",
                    ExternalTool.run("stat", "-c", "%F %Hr %Lr", d.resolve("ours-old").toString(),
                            d.resolve("ours-new").toString(), d.resolve("ours-fifo").toString()).output());
            for (String[] node : new String[][] {{"k-old", "c", "4", "64"}, {"k-new", "b", "4000", "1048000"}}) {
                assertEquals(0, ExternalTool.run("mknod", d.resolve(node[0]).toString(), node[1], node[2], node[3])
                        .exitCode());
            }
            assertEquals(0, ExternalTool.run("mkfifo", d.resolve("k-fifo").toString()).exitCode());
            assertEquals(0, ExternalTool.run("python3", "-c", "import socket; socket.socket(socket.AF_UNIX).bind('"
                    + d.resolve("k-sock") + "')").exitCode());
        }
        try (Ext3FileSystem fs = Images.open(img, true)) {
            assertEquals(DeviceNumber.of(4, 64), fs.getattr(fs.lookup(ROOT, "k-old")).rdev());
            assertEquals(Inode.S_IFCHR, fs.getattr(fs.lookup(ROOT, "k-old")).mode() & Inode.S_IFMT);
            Attr big = fs.getattr(fs.lookup(ROOT, "k-new"));
            assertEquals(Inode.S_IFBLK, big.mode() & Inode.S_IFMT);
            assertEquals(4000, DeviceNumber.major(big.rdev()));
            assertEquals(1048000, DeviceNumber.minor(big.rdev()));
            assertEquals(Inode.S_IFIFO, fs.getattr(fs.lookup(ROOT, "k-fifo")).mode() & Inode.S_IFMT);
            assertEquals(Inode.S_IFSOCK, fs.getattr(fs.lookup(ROOT, "k-sock")).mode() & Inode.S_IFMT);
        }
        Images.assertFsckClean(img);
    }

    /** Punching frees whole blocks (and the indirect block they emptied), zeroes partial ones, keeps the size. */
    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void fallocateModes(int bs) throws Exception {
        Path img = image(bs);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long free = fs.statfs().freeBlocks();
            long ino = fs.create(ROOT, "f", 0644, 0, 0);
            FileHandle h = fs.open(ino, true);
            byte[] model = new byte[14 * bs + 100]; // 15 blocks: the last three behind the indirect block
            new Random(7).nextBytes(model);
            fs.write(h, 0, ByteBuffer.wrap(model));
            fs.flush(h);
            long blocks = 15 + 1;
            assertEquals(free - blocks, fs.statfs().freeBlocks());

            // inside one block, then across blocks: partial blocks are zeroed, no block is freed
            punch(fs, h, model, bs / 2, 10);
            punch(fs, h, model, bs - 7, 20);
            assertEquals(free - blocks, fs.statfs().freeBlocks());
            // blocks 1 and 2 whole, with the tail of 0 and the head of 3
            punch(fs, h, model, bs / 2, 3L * bs - bs / 2 + 9);
            assertEquals(free - blocks + 2, fs.statfs().freeBlocks());
            // from block 12 to past the end: three data blocks and the indirect block go
            punch(fs, h, model, 12L * bs, 10L * bs);
            assertEquals(free - blocks + 2 + 4, fs.statfs().freeBlocks());
            assertEquals(model.length, fs.getattr(ino).size(), "punching keeps the size");
            assertEquals((blocks - 6) * (bs / 512), fs.getattr(ino).blocks512());
            assertContent(fs, ino, model);

            // a gathered (not yet written) partial block is punched too
            byte[] piece = new byte[100];
            Arrays.fill(piece, (byte) 'g');
            fs.write(h, 5L * bs + 50, ByteBuffer.wrap(piece));
            System.arraycopy(piece, 0, model, 5 * bs + 50, 100);
            punch(fs, h, model, 5L * bs + 60, 20);
            assertContent(fs, ino, model);

            // zero range: allocated again and zero; without KEEP_SIZE it extends the file
            fs.fallocate(h, FallocateMode.ZERO_RANGE, bs + 3, 2L * bs);
            Arrays.fill(model, bs + 3, 3 * bs + 3, (byte) 0);
            assertContent(fs, ino, model);
            assertEquals((blocks - 4) * (bs / 512), fs.getattr(ino).blocks512(), "blocks 1 and 2 allocated again");
            fs.fallocate(h, FallocateMode.ZERO_RANGE, model.length - 10, 30);
            model = Arrays.copyOf(model, model.length + 20);
            assertContent(fs, ino, model);
            fs.fallocate(h, FallocateMode.ZERO_RANGE | FallocateMode.KEEP_SIZE, 0, 5);
            Arrays.fill(model, 0, 5, (byte) 0);
            assertContent(fs, ino, model);

            // keep size: fills holes inside the file; past its last block ext3 cannot keep blocks
            fs.fallocate(h, FallocateMode.KEEP_SIZE, 12L * bs, 2L * bs);
            assertContent(fs, ino, model);
            assertEquals(model.length, fs.getattr(ino).size());
            long before = fs.statfs().freeBlocks();
            assertEquals(Errno.EOPNOTSUPP, errno(() -> fs.fallocate(h, FallocateMode.KEEP_SIZE, 0, 20L * bs)));
            assertEquals(before, fs.statfs().freeBlocks(), "a refused request changes nothing");
            for (int mode : new int[] {FallocateMode.PUNCH_HOLE, FallocateMode.COLLAPSE_RANGE,
                    FallocateMode.INSERT_RANGE, FallocateMode.UNSHARE_RANGE,
                    FallocateMode.PUNCH_HOLE | FallocateMode.KEEP_SIZE | FallocateMode.ZERO_RANGE}) {
                assertEquals(Errno.EOPNOTSUPP, errno(() -> fs.fallocate(h, mode, 0, bs)), "mode " + mode);
            }
            // plain preallocation still grows the file
            fs.fallocate(h, 0, model.length, bs);
            assertEquals(model.length + bs, fs.getattr(ino).size());
            fs.release(h);
        }
        assertClean(img, bs);
    }

    private static void punch(Ext3FileSystem fs, FileHandle h, byte[] model, long offset, long length)
            throws Exception {
        fs.fallocate(h, FallocateMode.PUNCH_HOLE | FallocateMode.KEEP_SIZE, offset, length);
        int end = (int) Math.min(model.length, offset + length);
        Arrays.fill(model, (int) offset, end, (byte) 0);
    }

    private static void assertContent(Ext3FileSystem fs, long ino, byte[] expected) throws Exception {
        assertEquals(expected.length, fs.getattr(ino).size());
        FileHandle r = fs.open(ino, false);
        try {
            ByteBuffer got = ByteBuffer.allocate(expected.length);
            while (got.hasRemaining()) {
                assertTrue(fs.read(r, got.position(), got) > 0);
            }
            assertArrayEquals(expected, got.array());
        } finally {
            fs.release(r);
        }
    }

    /** Exchange swaps names; directories in different parents get '..' and the parents' link counts right. */
    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void renameExchange(int bs) throws Exception {
        Path img = image(bs);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long a = fs.mkdir(ROOT, "a", 0755, 0, 0);
            long b = fs.mkdir(ROOT, "b", 0755, 0, 0);
            long dir = fs.mkdir(a, "x", 0755, 0, 0);
            long deep = fs.mkdir(dir, "deep", 0755, 0, 0);
            long file = fs.create(b, "y", 0644, 0, 0);
            fs.exchange(a, "x", b, "y"); // a directory for a file, across parents
            assertEquals(file, fs.lookup(a, "x"));
            assertEquals(dir, fs.lookup(b, "y"));
            assertEquals(b, fs.lookup(dir, ".."));
            assertEquals(2, fs.getattr(a).nlink(), "a lost its subdirectory");
            assertEquals(3, fs.getattr(b).nlink(), "b gained one");

            long other = fs.mkdir(a, "z", 0755, 0, 0);
            fs.exchange(a, "z", b, "y"); // directory for directory
            assertEquals(dir, fs.lookup(a, "z"));
            assertEquals(other, fs.lookup(b, "y"));
            assertEquals(a, fs.lookup(dir, ".."));
            assertEquals(b, fs.lookup(other, ".."));
            assertEquals(3, fs.getattr(a).nlink());
            assertEquals(3, fs.getattr(b).nlink());

            fs.exchange(a, "x", a, "z"); // same directory
            assertEquals(dir, fs.lookup(a, "x"));
            assertEquals(file, fs.lookup(a, "z"));
            assertEquals(Errno.ENOENT, errno(() -> fs.exchange(a, "x", b, "missing")));
            assertEquals(Errno.EINVAL, errno(() -> fs.exchange(a, "x", deep, "..")));
            long inner = fs.create(deep, "inner", 0644, 0, 0);
            assertEquals(Errno.EINVAL, errno(() -> fs.exchange(a, "x", deep, "inner")), "x into its own subtree");
            assertEquals(inner, fs.lookup(deep, "inner"));
        }
        assertClean(img, bs);
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void aWriteClearsSetIdBitsAsFileRemovePrivs(int bs) throws Exception {
        Path img = image(bs);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            long ino = fs.create(ROOT, "s", 06755, 0, 50);
            fs.clearSetIdForWrite(ino, 50);
            assertEquals(Inode.S_IFREG | 0755, fs.getattr(ino).mode(), "group-executable: both go");
            fs.chmod(ino, 06745); // set-gid without group execute: the locking mark a group member keeps
            fs.clearSetIdForWrite(ino, 50);
            assertEquals(Inode.S_IFREG | 02745, fs.getattr(ino).mode());
            fs.clearSetIdForWrite(ino, 65534);
            assertEquals(Inode.S_IFREG | 0745, fs.getattr(ino).mode(), "and an outsider's write clears");
            fs.chmod(ino, 0644);
            long ctime = fs.getattr(ino).ctimeNanos();
            fs.clearSetIdForWrite(ino, 65534);
            assertEquals(ctime, fs.getattr(ino).ctimeNanos(), "no bit to clear: no change");
        }
        assertClean(img, bs);
    }

    @ParameterizedTest
    @ValueSource(ints = {4096, 1 << 20})
    void atimeFollowsThePolicy(int bs) throws Exception {
        Path img = image(bs);
        long old = 1_000_000_000L * 1_000_000_000L; // 2001
        for (AtimePolicy policy : AtimePolicy.values()) {
            EngineOptions o = EngineOptions.defaults().withCaches(8L << 20, 32L << 20).withAtime(policy);
            try (Ext3FileSystem fs = Ext3FileSystem.open(new io.ext3ns.sda.FileMember(img, false), o)) {
                long ino = fs.create(ROOT, policy.name(), 0644, 0, 0);
                FileHandle w = fs.open(ino, true);
                fs.write(w, 0, ByteBuffer.wrap(new byte[] {1, 2, 3}));
                fs.release(w);
                fs.utimens(ino, old, -1); // atime older than mtime
                read(fs, ino);
                long after = fs.getattr(ino).atimeNanos();
                assertEquals(policy != AtimePolicy.NOATIME, after != old, policy + ": read of a file modified since");
                read(fs, ino);
                long again = fs.getattr(ino).atimeNanos();
                assertEquals(policy == AtimePolicy.STRICTATIME, again != after, policy + ": a second read");
                long recentEnough = System.currentTimeMillis() * 1_000_000L + 3_600_000_000_000L;
                fs.utimens(ino, recentEnough, -1); // after mtime and ctime (an hour ahead), not a day old
                read(fs, ino);
                assertEquals(policy == AtimePolicy.STRICTATIME, fs.getattr(ino).atimeNanos() != recentEnough,
                        policy.name());
                long link = fs.symlink(ROOT, "link-" + policy, policy.name(), 0, 0);
                fs.utimens(link, old, -1);
                assertEquals(policy.name(), fs.readlink(link));
                assertEquals(policy != AtimePolicy.NOATIME, fs.getattr(link).atimeNanos() != old,
                        policy + ": reading a symlink");
                long dirAtime = fs.getattr(ROOT).atimeNanos();
                fs.utimens(ROOT, old, -1);
                fs.readdir(ROOT);
                assertEquals(policy != AtimePolicy.NOATIME, fs.getattr(ROOT).atimeNanos() != old,
                        policy + ": listing a directory (was " + dirAtime + ")");
            }
        }
        try (Ext3FileSystem ro = Images.open(img, true)) {
            long ino = ro.lookup(ROOT, "RELATIME");
            long before = ro.getattr(ino).atimeNanos();
            read(ro, ino);
            assertEquals(before, ro.getattr(ino).atimeNanos(), "a read-only volume keeps atime");
        }
        assertClean(img, bs);
    }

    private static void read(Ext3FileSystem fs, long ino) throws Exception {
        FileHandle r = fs.open(ino, false);
        try {
            fs.read(r, 0, ByteBuffer.allocate(16));
        } finally {
            fs.release(r);
        }
    }

    private interface Call {
        void run() throws Exception;
    }

    private static Errno errno(Call call) {
        return assertThrows(FsException.class, call::run).errno();
    }
}
