package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.DirEntryType;
import io.ext3ns.sda.AlignedBuffers;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Thousands of random operations — create, mkdir, symlink, link, write at any offset, truncate, unlink (also of
 * open files), rmdir, rename (files and directories, over targets, into subtrees), chmod, chown, utimens,
 * fallocate, handles kept open across steps, fast-path reads — applied to the engine and to {@link FsModel}, compared after every step, with a reopen of
 * the volume (and e2fsck where it can judge) every few hundred steps and at the end. Seeded: the failure message
 * names the seed and step; -Dengine.seed=N replays one.
 */
class EngineModelTest {
    private static final String[] NAMES = {"a", "b", "c", "d", "e", "f", "g", "x".repeat(255)};

    @TempDir
    Path tmp;

    private Ext3FileSystem fs;
    private FsModel model;
    private Random rnd;
    private int bs;
    private final Map<FsModel.Node, FileHandle> handles = new IdentityHashMap<>();
    private final Map<FsModel.Node, Long> inoOf = new IdentityHashMap<>();
    private long baseFreeInodes;
    private long baseLive;
    private final Map<String, Integer> opCounts = new HashMap<>();
    private static boolean lastFailed;

    @ParameterizedTest(name = "{0}-byte blocks, {1} operations")
    @CsvSource({"4096, 3000, 64", "65536, 2000, 256", "131072, 600, 256", "1048576, 1200, 1024"})
    void randomOperationsMatchTheModel(int blockSize, int steps, int imageMiB) throws Exception {
        long seed = Long.getLong("engine.seed", 0x5EED0000L + blockSize);
        bs = blockSize;
        Path img = tmp.resolve("model.img");
        boolean e2fsckJudges = blockSize <= 65536;
        if (e2fsckJudges) {
            Images.mke2fs(img, blockSize, (long) imageMiB << 20, Images.PLAIN_FEATURES, null);
        } else {
            Images.ours(img, blockSize, (long) imageMiB << 20);
        }
        rnd = new Random(seed);
        model = new FsModel();
        fs = Images.open(img, false);
        model.create(model.root, "lost+found", FsModel.DIR, 0700, null);
        baseFreeInodes = fs.statfs().freeInodes();
        baseLive = model.liveInodes;
        String op = "start";
        int step = 0;
        try {
            for (step = 0; step < steps; step++) {
                op = randomStep();
                opCounts.merge(op.split(" ")[0] + (lastFailed ? "(errno)" : ""), 1, Integer::sum);
                lastFailed = false;
                checkInodeCount();
                if (step % 25 == 24) {
                    compareTree();
                }
                if (step % 500 == 499) {
                    op = "reopen";
                    reopen(img, e2fsckJudges);
                }
            }
            System.out.println(blockSize + "-byte blocks, seed " + seed + ": " + new java.util.TreeMap<>(opCounts));
            op = "final reopen";
            reopen(img, e2fsckJudges);
            fs.close();
            if (e2fsckJudges) {
                Images.assertFsckClean(img);
            }
            Images.assertOurFsckClean(img);
        } catch (Throwable t) {
            throw new AssertionError("seed " + seed + " (replay with -Dengine.seed=" + seed + "), step " + step
                    + ", operation " + op + ": " + t, t);
        } finally {
            fs.close();
        }
    }

    private void reopen(Path img, boolean fsck) throws Exception {
        for (FsModel.Node n : new ArrayList<>(handles.keySet())) {
            release(n);
        }
        fs.close();
        if (fsck) {
            Images.assertFsckClean(img);
        }
        Images.assertOurFsckClean(img);
        fs = Images.open(img, false);
        compareTree();
    }

    // ---- one random operation ----

    private String randomStep() throws Exception {
        List<Object[]> all = new ArrayList<>();
        FsModel.walk(model.root, List.of(), all);
        List<Object[]> dirs = new ArrayList<>();
        dirs.add(new Object[] {null, null, model.root, List.of()});
        List<Object[]> files = new ArrayList<>();
        List<Object[]> regular = new ArrayList<>();
        for (Object[] e : all) {
            FsModel.Node n = (FsModel.Node) e[2];
            (n.type == FsModel.DIR ? dirs : files).add(e);
            if (n.type == FsModel.FILE) {
                regular.add(e);
            }
        }
        Object[] d = dirs.get(rnd.nextInt(dirs.size()));
        FsModel.Node dir = (FsModel.Node) d[2];
        @SuppressWarnings("unchecked")
        List<String> dirPath = (List<String>) d[3];
        String name = rnd.nextInt(50) == 0 ? "y".repeat(256) : NAMES[rnd.nextInt(NAMES.length)];
        int r = rnd.nextInt(100);
        if (r < 10) {
            return mkdirOrCreate(dir, dirPath, name, FsModel.DIR);
        } else if (r < 22) {
            return mkdirOrCreate(dir, dirPath, name, FsModel.FILE);
        } else if (r < 26) {
            return mkdirOrCreate(dir, dirPath, name, FsModel.SYMLINK);
        } else if (r < 50 && !regular.isEmpty()) {
            return write(regular.get(rnd.nextInt(regular.size())));
        } else if (r < 57 && !regular.isEmpty()) {
            return truncate(regular.get(rnd.nextInt(regular.size())));
        } else if (r < 61) {
            return remove(dir, dirPath, name);
        } else if (r < 65) {
            List<Object[]> empty = all.stream().filter(e -> ((FsModel.Node) e[2]).type == FsModel.DIR
                    && ((FsModel.Node) e[2]).children.isEmpty() && !"lost+found".equals(e[1])).toList();
            if (empty.isEmpty()) {
                return remove(dir, dirPath, name);
            }
            Object[] e = empty.get(rnd.nextInt(empty.size()));
            List<String> p = pathOf(e);
            return remove((FsModel.Node) e[0], p.subList(0, p.size() - 1), (String) e[1]);
        } else if (r < 77 && !all.isEmpty()) {
            Object[] src = all.get(rnd.nextInt(all.size()));
            return rename(src, dirs.get(rnd.nextInt(dirs.size())), name);
        } else if (r < 81 && !files.isEmpty()) {
            return link(files.get(rnd.nextInt(files.size())), dir, dirPath, name);
        } else if (r < 85 && !all.isEmpty()) {
            return attributes(all.get(rnd.nextInt(all.size())));
        } else if (r < 88 && !regular.isEmpty()) {
            return fallocate(regular.get(rnd.nextInt(regular.size())));
        } else if (r < 92 && !handles.isEmpty()) {
            List<FsModel.Node> open = new ArrayList<>(handles.keySet());
            FsModel.Node n = open.get(rnd.nextInt(open.size()));
            compareContents(n, handles.get(n), "open handle");
            release(n);
            return "release";
        } else if (!regular.isEmpty()) {
            Object[] e = regular.get(rnd.nextInt(regular.size()));
            compareFile(resolve(pathOf(e)), (FsModel.Node) e[2], true);
            return "fast-path read " + pathOf(e);
        }
        return "nothing";
    }

    private String mkdirOrCreate(FsModel.Node dir, List<String> dirPath, String name, int type) throws Exception {
        long parent = resolve(dirPath);
        int perm = type == FsModel.SYMLINK ? 0777 : rnd.nextInt(01000);
        String target = type == FsModel.SYMLINK ? (rnd.nextBoolean() ? "t" + rnd.nextInt(1000)
                : "long/".repeat(1 + rnd.nextInt(200))) : null;
        Errno expect = name.length() > 255 ? Errno.ENAMETOOLONG : null;
        if (expect == null) {
            expect = model.create(dir, name, type, perm, target);
        }
        Errno want = expect;
        expectErrno(want, () -> {
            long ino = type == FsModel.DIR ? fs.mkdir(parent, name, perm, 0, 0)
                    : type == FsModel.FILE ? fs.create(parent, name, perm, 0, 0)
                    : fs.symlink(parent, name, target, 0, 0);
            inoOf.put(dir.children.get(name), ino);
        });
        compareDir(parent, dir);
        return (type == FsModel.DIR ? "mkdir " : type == FsModel.FILE ? "create " : "symlink ") + dirPath + "/"
                + shortName(name);
    }

    private String write(Object[] e) throws Exception {
        FsModel.Node n = (FsModel.Node) e[2];
        long ino = resolve(pathOf(e));
        int size = n.data.length;
        long offset = rnd.nextInt(size + 2 * bs + 1);
        int maxLen = Math.min(3 * bs, 300_000);
        int len = switch (rnd.nextInt(4)) {
            case 0 -> 1 + rnd.nextInt(100);
            case 1 -> Math.min(bs, maxLen);
            case 2 -> (int) Math.min(maxLen, bs - offset % bs);
            default -> 1 + rnd.nextInt(maxLen);
        };
        if (offset + len > 6L * Math.max(bs, 1 << 20)) {
            offset = rnd.nextInt(Math.max(1, size));
        }
        byte[] buf = new byte[len];
        rnd.nextBytes(buf);
        FileHandle h = handles.get(n);
        boolean keep = rnd.nextBoolean();
        if (h == null) {
            h = fs.open(ino, true);
        }
        assertEquals(len, fs.write(h, offset, ByteBuffer.wrap(buf)));
        FsModel.write(n, offset, buf);
        if (keep) {
            handles.put(n, h);
        } else {
            handles.remove(n);
            fs.release(h);
        }
        compareFile(ino, n, false);
        return "write " + pathOf(e) + " @" + offset + "+" + len;
    }

    /** chmod, chown (kept by the model) or utimens (checked at once: later writes move mtime). */
    private String attributes(Object[] e) throws Exception {
        FsModel.Node n = (FsModel.Node) e[2];
        long ino = resolve(pathOf(e));
        switch (rnd.nextInt(3)) {
            case 0 -> {
                int perm = rnd.nextInt(01000);
                fs.chmod(ino, perm);
                n.perm = perm;
                return "chmod " + pathOf(e);
            }
            case 1 -> {
                n.uid = rnd.nextInt(70000);
                n.gid = rnd.nextInt(70000);
                fs.chown(ino, n.uid, n.gid);
                return "chown " + pathOf(e);
            }
            default -> {
                long atime = rnd.nextLong(1L << 62);
                long mtime = rnd.nextLong(4_000_000_000L) * 1_000_000_000L + rnd.nextInt(1_000_000_000);
                fs.utimens(ino, atime, mtime);
                Attr a = fs.getattr(ino);
                assertEquals(mtime, a.mtimeNanos(), "mtime after utimens");
                assertEquals(Math.floorDiv(atime, 1_000_000_000L), Math.floorDiv(a.atimeNanos(), 1_000_000_000L),
                        "atime seconds after utimens");
                return "utimens " + pathOf(e);
            }
        }
    }

    /** Preallocation: blocks appear (reading as zeros), the size grows only to offset+length. */
    private String fallocate(Object[] e) throws Exception {
        FsModel.Node n = (FsModel.Node) e[2];
        long ino = resolve(pathOf(e));
        long offset = rnd.nextInt(n.data.length + 2 * bs + 1);
        long length = 1 + rnd.nextInt(3 * bs);
        FileHandle h = handles.get(n);
        FileHandle own = h == null ? fs.open(ino, true) : null;
        fs.fallocate(h != null ? h : own, offset, length);
        if (own != null) {
            fs.release(own);
        }
        if (offset + length > n.data.length) {
            FsModel.truncate(n, offset + length);
        }
        compareFile(ino, n, false);
        return "fallocate " + pathOf(e) + " @" + offset + "+" + length;
    }

    private String truncate(Object[] e) throws Exception {
        FsModel.Node n = (FsModel.Node) e[2];
        long ino = resolve(pathOf(e));
        long size = rnd.nextInt(n.data.length + 2 * bs + 1);
        fs.truncate(ino, size);
        FsModel.truncate(n, size);
        compareFile(ino, n, false);
        return "truncate " + pathOf(e) + " to " + size;
    }

    private String remove(FsModel.Node dir, List<String> dirPath, String name) throws Exception {
        long parent = resolve(dirPath);
        FsModel.Node victim = dir.children.get(name);
        boolean rmdir = victim != null ? victim.type == FsModel.DIR ^ rnd.nextInt(10) == 0 : rnd.nextBoolean();
        Errno expect = name.length() > 255 ? Errno.ENAMETOOLONG
                : rmdir ? model.rmdir(dir, name) : model.unlink(dir, name, handles.containsKey(victim));
        expectErrno(expect, () -> {
            if (rmdir) {
                fs.rmdir(parent, name);
            } else {
                fs.unlink(parent, name);
            }
        });
        compareDir(parent, dir);
        return (rmdir ? "rmdir " : "unlink ") + dirPath + "/" + shortName(name);
    }

    private String rename(Object[] src, Object[] dst, String dname) throws Exception {
        FsModel.Node sdir = (FsModel.Node) src[0];
        String sname = (String) src[1];
        @SuppressWarnings("unchecked")
        List<String> spath = ((List<String>) src[3]).subList(0, ((List<String>) src[3]).size() - 1);
        FsModel.Node ddir = (FsModel.Node) dst[2];
        @SuppressWarnings("unchecked")
        List<String> dpath = (List<String>) dst[3];
        if (dname.length() > 255) {
            dname = "h";
        }
        long sp = resolve(spath);
        long dp = resolve(dpath);
        String dn = dname;
        Errno expect = model.rename(sdir, sname, ddir, dn, handles::containsKey);
        expectErrno(expect, () -> fs.rename(sp, sname, dp, dn));
        compareDir(sp, sdir);
        compareDir(dp, ddir);
        return "rename " + spath + "/" + shortName(sname) + " -> " + dpath + "/" + dn;
    }

    private String link(Object[] target, FsModel.Node dir, List<String> dirPath, String name) throws Exception {
        FsModel.Node n = (FsModel.Node) target[2];
        long ino = resolve(pathOf(target));
        long parent = resolve(dirPath);
        Errno expect = name.length() > 255 ? Errno.ENAMETOOLONG : model.link(n, dir, name);
        expectErrno(expect, () -> fs.link(ino, parent, name));
        compareDir(parent, dir);
        return "link " + pathOf(target) + " as " + dirPath + "/" + shortName(name);
    }

    private void release(FsModel.Node n) throws Exception {
        fs.release(handles.remove(n));
        if (n.links == 0) {
            model.liveInodes--;
        }
    }

    // ---- comparison ----

    private void checkInodeCount() throws Exception {
        long used = model.liveInodes - baseLive;
        assertEquals(baseFreeInodes - used, fs.statfs().freeInodes(), "free inodes (leak or double free)");
    }

    private void compareTree() throws Exception {
        compareDirRecursive(FileSystem.ROOT_INO, model.root);
    }

    private void compareDirRecursive(long ino, FsModel.Node dir) throws Exception {
        compareDir(ino, dir);
        for (var e : dir.children.entrySet()) {
            long child = fs.lookup(ino, e.getKey());
            FsModel.Node n = e.getValue();
            if (n.type == FsModel.DIR) {
                compareDirRecursive(child, n);
            } else if (n.type == FsModel.FILE) {
                compareFile(child, n, rnd.nextInt(4) == 0);
            } else {
                assertEquals(n.target, fs.readlink(child));
            }
        }
    }

    /** Names, types, inode identity (hard links), permissions and link counts of a directory's entries. */
    private void compareDir(long ino, FsModel.Node dir) throws Exception {
        Map<String, DirEntry> got = new HashMap<>();
        for (DirEntry de : fs.readdir(ino)) {
            got.put(de.name(), de);
        }
        assertEquals(ino, got.get(".").ino(), "'.' of " + ino);
        TreeSet<String> names = new TreeSet<>(got.keySet());
        names.remove(".");
        names.remove("..");
        assertEquals(dir.children.keySet(), names, "entries of directory " + ino);
        Attr da = fs.getattr(ino);
        assertEquals(dir.nlink(), da.nlink(), "links of directory " + ino);
        for (var e : dir.children.entrySet()) {
            FsModel.Node n = e.getValue();
            DirEntry de = got.get(e.getKey());
            Long known = inoOf.putIfAbsent(n, de.ino());
            if (known != null) {
                assertEquals(known.longValue(), de.ino(), "inode of " + e.getKey());
            }
            Attr a = fs.getattr(de.ino());
            int type = n.type == FsModel.DIR ? DirEntryType.DIR : n.type == FsModel.FILE ? DirEntryType.REG
                    : DirEntryType.SYMLINK;
            assertEquals(type, de.fileType(), "entry type of " + e.getKey());
            assertEquals(type, DirEntryType.ofMode(a.mode()), "mode type of " + e.getKey());
            assertEquals(n.perm, a.mode() & 07777, "permissions of " + e.getKey());
            assertEquals(n.uid, a.uid(), "uid of " + e.getKey());
            assertEquals(n.gid, a.gid(), "gid of " + e.getKey());
            assertEquals(n.nlink(), a.nlink(), "links of " + e.getKey());
            if (n.type == FsModel.DIR) {
                assertEquals(ino, fs.lookup(de.ino(), ".."), "'..' of " + e.getKey());
            }
        }
    }

    private void compareFile(long ino, FsModel.Node n, boolean fastPathToo) throws Exception {
        FileHandle h = fs.open(ino, false);
        try {
            compareContents(n, h, "inode " + ino);
            if (fastPathToo) {
                int blocks = (n.data.length + bs - 1) / bs;
                ByteBuffer dst = AlignedBuffers.allocate(Math.max(1, blocks) * bs);
                int got = fs.readDirect(h, 0, dst);
                assertEquals(n.data.length, got, "fast-path length of inode " + ino);
                byte[] b = new byte[got];
                dst.flip().get(b);
                assertArrayEquals(n.data, b, "fast-path contents of inode " + ino);
                if (blocks > 1) { // and from a block in the middle, for one block less than the rest
                    int from = 1 + rnd.nextInt(blocks - 1);
                    ByteBuffer part = AlignedBuffers.allocate(Math.max(1, blocks - from - 1) * bs);
                    int n2 = fs.readDirect(h, (long) from * bs, part);
                    int expect = Math.min(part.capacity(), n.data.length - from * bs);
                    assertEquals(expect, n2, "fast-path length from block " + from);
                    byte[] p = new byte[n2];
                    part.flip().get(p);
                    assertArrayEquals(java.util.Arrays.copyOfRange(n.data, from * bs, from * bs + n2), p,
                            "fast-path contents from block " + from + " of inode " + ino);
                }
            }
        } finally {
            fs.release(h);
        }
    }

    private void compareContents(FsModel.Node n, FileHandle h, String what) throws Exception {
        assertEquals(n.data.length, fs.getattr(h.ino()).size(), "size of " + what);
        ByteBuffer got = ByteBuffer.allocate(n.data.length);
        while (got.hasRemaining()) {
            int k = fs.read(h, got.position(), got);
            assertTrue(k > 0, "short read of " + what);
        }
        assertArrayEquals(n.data, got.array(), "contents of " + what);
        assertEquals(0, fs.read(h, n.data.length, ByteBuffer.allocate(10)), "read past end of " + what);
    }

    // ---- helpers ----

    private interface FsCall {
        void run() throws Exception;
    }

    private static void expectErrno(Errno expect, FsCall call) throws Exception {
        try {
            call.run();
            if (expect != null) {
                fail("expected " + expect + " but the call succeeded");
            }
        } catch (FsException e) {
            lastFailed = true;
            if (expect != e.errno()) {
                throw new AssertionError("expected " + (expect == null ? "success" : expect) + " but got " + e, e);
            }
        }
    }

    private long resolve(List<String> path) throws Exception {
        long ino = FileSystem.ROOT_INO;
        for (String p : path) {
            ino = fs.lookup(ino, p);
        }
        return ino;
    }

    @SuppressWarnings("unchecked")
    private static List<String> pathOf(Object[] e) {
        return (List<String>) e[3];
    }

    private static String shortName(String n) {
        return n.length() > 10 ? n.charAt(0) + "×" + n.length() : n;
    }
}
