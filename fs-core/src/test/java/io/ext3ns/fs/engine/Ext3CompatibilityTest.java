package io.ext3ns.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.testing.ExternalTool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real ext3 as e2fsprogs and the kernel make and read it: images built by {@code mke2fs -t ext3 -d TREE} read back
 * equal to TREE through the engine; after the engine changes such an image (create, append, delete, rename,
 * truncate, mkdir/rmdir, many entries in an htree directory), e2fsck -fn finds it clean and the kernel's ext3 driver
 * sees exactly the tree the same changes produce on the host.
 */
class Ext3CompatibilityTest {
    @TempDir
    Path tmp;

    /** A tree with every kind of thing the engine must read: sizes around block edges, big files, htree dirs. */
    private Path sourceTree() throws IOException {
        Path t = Files.createDirectories(tmp.resolve("tree"));
        Random r = new Random(42);
        Path media = Files.createDirectories(t.resolve("media/deep/er"));
        int[] sizes = {0, 1, 1023, 1024, 4095, 4096, 4097, 65536, 70000, 300_000, 5_000_000};
        for (int s : sizes) {
            byte[] b = new byte[s];
            r.nextBytes(b);
            Files.write(t.resolve("media/f" + s), b);
        }
        Files.write(media.resolve("note.txt"), "hello\n".getBytes());
        Files.createSymbolicLink(t.resolve("short-link"), Path.of("media/f1"));
        Files.createSymbolicLink(t.resolve("long-link"), Path.of("media/" + "d/".repeat(60) + "x"));
        Path many = Files.createDirectories(t.resolve("many"));
        for (int i = 0; i < 600; i++) {
            Files.write(many.resolve("entry-with-a-longish-name-" + i), new byte[] {(byte) i});
        }
        Path priv = Files.createDirectories(t.resolve("private"));
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rwx------"));
        Path script = Files.write(t.resolve("run.sh"), "#!/bin/sh\n".getBytes());
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x--x"));
        Files.setPosixFilePermissions(t.resolve("media/f0"), PosixFilePermissions.fromString("r--------"));
        return t;
    }

    @ParameterizedTest(name = "{0}-byte blocks, features {1}")
    @CsvSource({"1024, plain", "1024, default", "4096, plain", "4096, default", "65536, plain", "65536, default"})
    void mke2fsImagesReadBackEqualToTheirTree(int bs, String features) throws Exception {
        Path tree = sourceTree();
        Path img = Images.mke2fs(tmp.resolve("r.img"), bs, 64L << 20,
                features.equals("plain") ? Images.PLAIN_FEATURES : null, tree);
        try (Ext3FileSystem fs = Images.open(img, true)) {
            TreeView.assertSameTree(TreeView.host(tree), TreeView.engine(fs));
        }
    }

    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({"1024", "4096", "65536"})
    void changesByTheEngineKeepDefaultMke2fsImagesFsckClean(int bs) throws Exception {
        Path tree = sourceTree();
        Path img = Images.mke2fs(tmp.resolve("w.img"), bs, 64L << 20, null, tree);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            applyChanges(fs, tree);
            TreeView.assertSameTree(TreeView.host(tree), TreeView.engine(fs));
        }
        Images.assertFsckClean(img);
        try (Ext3FileSystem fs = Images.open(img, true)) {
            TreeView.assertSameTree(TreeView.host(tree), TreeView.engine(fs));
        }
    }

    @Test
    void theKernelSeesTheTreeTheEngineWrote() throws Exception {
        Assumptions.assumeTrue(ExternalTool.available("mount") && Files.isReadable(Path.of("/proc/filesystems")));
        Path tree = sourceTree();
        Path img = Images.mke2fs(tmp.resolve("k.img"), 4096, 64L << 20, null, tree);
        try (Ext3FileSystem fs = Images.open(img, false)) {
            applyChanges(fs, tree);
        }
        Images.assertFsckClean(img);
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        ExternalTool.Result m = ExternalTool.run("mount", "-o", "loop,ro", "-t", "ext3", img.toString(),
                mnt.toString());
        assertEquals(0, m.exitCode(), "mount: " + m);
        try {
            TreeView.assertSameTree(TreeView.host(tree), TreeView.host(mnt));
        } finally {
            ExternalTool.Result u = ExternalTool.run("umount", mnt.toString());
            assertEquals(0, u.exitCode(), "umount: " + u);
        }
    }

    /** The same changes through the engine and on the host tree, which then is the expected result. */
    private static void applyChanges(Ext3FileSystem fs, Path tree) throws Exception {
        long root = FileSystem.ROOT_INO;
        long media = fs.lookup(root, "media");
        long many = fs.lookup(root, "many");
        Random r = new Random(7);
        // create
        byte[] fresh = new byte[200_000];
        r.nextBytes(fresh);
        writeAt(fs, fs.create(media, "fresh.bin", 0640, 0, 0), 0, fresh);
        Files.write(tree.resolve("media/fresh.bin"), fresh);
        Files.setPosixFilePermissions(tree.resolve("media/fresh.bin"), PosixFilePermissions.fromString("rw-r-----"));
        // append
        long f70 = fs.lookup(media, "f70000");
        byte[] tail = new byte[90_000];
        r.nextBytes(tail);
        writeAt(fs, f70, 70_000, tail);
        Files.write(tree.resolve("media/f70000"), tail, java.nio.file.StandardOpenOption.APPEND);
        // truncate (shrink through indirect blocks, and grow with a hole)
        fs.truncate(fs.lookup(media, "f5000000"), 123_457);
        truncateHost(tree.resolve("media/f5000000"), 123_457);
        fs.truncate(fs.lookup(media, "f4097"), 100_000);
        truncateHost(tree.resolve("media/f4097"), 100_000);
        // delete, rename (over an existing file, across directories, a directory)
        fs.unlink(media, "f300000");
        Files.delete(tree.resolve("media/f300000"));
        fs.rename(media, "f65536", media, "f1023");
        Files.move(tree.resolve("media/f65536"), tree.resolve("media/f1023"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        fs.rename(media, "deep", root, "moved-deep");
        Files.move(tree.resolve("media/deep"), tree.resolve("moved-deep"));
        // mkdir / rmdir, symlink
        long sub = fs.mkdir(root, "newdir", 0750, 0, 0);
        Files.createDirectory(tree.resolve("newdir"));
        Files.setPosixFilePermissions(tree.resolve("newdir"), PosixFilePermissions.fromString("rwxr-x---"));
        fs.symlink(sub, "link", "../media/fresh.bin", 0, 0);
        Files.createSymbolicLink(tree.resolve("newdir/link"), Path.of("../media/fresh.bin"));
        fs.mkdir(root, "gone", 0755, 0, 0);
        fs.rmdir(root, "gone");
        // the htree directory: remove some, add many (its index flag must be cleared)
        for (int i = 0; i < 600; i += 3) {
            fs.unlink(many, "entry-with-a-longish-name-" + i);
            Files.delete(tree.resolve("many/entry-with-a-longish-name-" + i));
        }
        for (int i = 0; i < 400; i++) {
            String n = "added-" + i;
            writeAt(fs, fs.create(many, n, 0644, 0, 0), 0, n.getBytes());
            Files.write(tree.resolve("many/" + n), n.getBytes());
            Files.setPosixFilePermissions(tree.resolve("many/" + n), PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    private static void writeAt(FileSystem fs, long ino, long off, byte[] data) throws Exception {
        FileHandle h = fs.open(ino, true);
        try {
            assertEquals(data.length, fs.write(h, off, ByteBuffer.wrap(data)));
        } finally {
            fs.release(h);
        }
    }

    private static void truncateHost(Path p, long size) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(p, java.nio.file.StandardOpenOption.WRITE)) {
            if (size < ch.size()) {
                ch.truncate(size);
            } else {
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
        }
    }
}
