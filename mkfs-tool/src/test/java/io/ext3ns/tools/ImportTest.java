package io.ext3ns.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.check.CheckOptions;
import io.ext3ns.fs.check.VolumeChecker;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.inspect.FileFragmentation;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.fs.testing.E2fsprogs;
import io.ext3ns.fs.testing.ExternalTool;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.fs.util.Progress;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.FileMember;
import io.ext3ns.sda.OpenOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** ext3ns-import as users run it: offline into an unmounted volume, into a directory, and every refusal. */
class ImportTest {
    private static final int MIB = 1 << 20;
    private static final long BIG = 6L * MIB + 12_345; // several 1 MiB blocks and a partial last one

    @TempDir
    Path dir;

    /** A tree with nested directories, a multi-MiB file, small files and a symlink, with modes and old mtimes. */
    private Path sourceTree() throws IOException {
        Path src = dir.resolve("src/media");
        Files.createDirectories(src.resolve("a/b/c"));
        byte[] big = new byte[(int) BIG];
        new Random(7).nextBytes(big);
        Files.write(src.resolve("a/movie.bin"), big);
        Files.writeString(src.resolve("readme.txt"), "hello\n");
        Files.writeString(src.resolve("a/b/c/deep.txt"), "deep ".repeat(1000));
        Files.write(src.resolve("a/b/empty"), new byte[0]);
        Files.createSymbolicLink(src.resolve("latest"), Path.of("a/movie.bin"));
        Files.setPosixFilePermissions(src.resolve("readme.txt"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(src.resolve("a/b"), PosixFilePermissions.fromString("rwxr-x---"));
        FileTime old = FileTime.from(Instant.parse("2020-01-02T03:04:05Z"));
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : all.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, old);
                }
            }
        }
        return src;
    }

    private static Path image(Path path, int blockSize) throws Exception {
        TestImages.format(path, 64L * MIB, blockSize);
        return path;
    }

    /** Every path under {@code root} (relative) with what stat and read say about it. */
    private static Map<String, String> describeLocal(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String rel = root.relativize(p).toString();
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                long mtime = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).to(TimeUnit.SECONDS);
                String what;
                if (Files.isSymbolicLink(p)) {
                    what = "link " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p)) {
                    what = String.format("dir %o %d", mode & 07777, mtime);
                } else {
                    what = String.format("file %o %d %s", mode & 07777, mtime,
                            java.util.Arrays.hashCode(Files.readAllBytes(p)));
                }
                out.put(rel, what);
            }
        }
        return out;
    }

    /** The same description read back from a volume through fs-core, from {@code path} down. */
    private static Map<String, String> describeVolume(FileSystem fs, String path) throws IOException {
        Map<String, String> out = new TreeMap<>();
        describeVolume(fs, fs.resolve(path), "", out);
        return out;
    }

    private static void describeVolume(FileSystem fs, long ino, String rel, Map<String, String> out)
            throws IOException {
        Attr a = fs.getattr(ino);
        long mtime = a.mtimeNanos() / 1_000_000_000L;
        if (a.isSymlink()) {
            out.put(rel, "link " + fs.readlink(ino));
        } else if (a.isDirectory()) {
            out.put(rel, String.format("dir %o %d", a.mode() & 07777, mtime));
            for (DirEntry e : children(fs, ino)) {
                describeVolume(fs, e.ino(), rel.isEmpty() ? e.name() : rel + "/" + e.name(), out);
            }
        } else {
            out.put(rel, String.format("file %o %d %s", a.mode() & 07777, mtime,
                    java.util.Arrays.hashCode(read(fs, ino, a.size()))));
        }
    }

    /** A directory's entries without "." and "..". */
    private static List<DirEntry> children(FileSystem fs, long dirIno) throws IOException {
        return fs.readdir(dirIno).stream().filter(e -> !e.name().equals(".") && !e.name().equals("..")).toList();
    }

    private static byte[] read(FileSystem fs, long ino, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        FileHandle h = fs.open(ino, false);
        try {
            while (buf.hasRemaining() && fs.read(h, buf.position(), buf) > 0) {
                // read on until full
            }
        } finally {
            fs.release(h);
        }
        return buf.array();
    }

    private static Ext3FileSystem openReadOnly(Path img) throws IOException {
        return Ext3FileSystem.open(new FileMember(img, true), EngineOptions.readOnlyDefaults());
    }

    private static void assertChecksClean(Path img) throws Exception {
        ExternalTool.Result fsck = ToolProcess.run(FsckMain.class, "-f", "-n", img.toString());
        assertEquals(0, fsck.exitCode(), fsck.toString());
    }

    @Test
    void offlineImportReadsBackEqualChecksCleanAndLaysTheLargeFileInOneRun() throws Exception {
        Path src = sourceTree();
        Path img = image(dir.resolve("v.img"), MIB);
        ExternalTool.Result r = ToolProcess.run(ImportMain.class, src.toString(), img + ":/");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.output().contains("Imported 4 files, 4 directories, 1 symlinks"), r.output());
        assertFalse(r.output().contains("\r"), "no progress bar when stderr is a pipe: " + r.output());

        try (Ext3FileSystem fs = openReadOnly(img)) {
            assertEquals(describeLocal(src), describeVolume(fs, "/media"));
        }
        assertChecksClean(img);
        try (FileMember dev = new FileMember(img, true)) {
            VolumeReader volume = VolumeReader.open(dev);
            FileFragmentation frag = FileFragmentation.of(volume, volume.lookup("/media/a/movie.bin"));
            assertEquals(7, frag.dataBlocks());
            assertEquals(1, frag.runCount(), frag.runs().toString());
        }

        // again: the files exist now, refused without -f (nothing changed), replaced with -f
        ExternalTool.Result again = ToolProcess.run(ImportMain.class, src.toString(), img + ":/");
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.output().contains("exists (and ") && again.output().contains("use -f"), again.output());
        assertEquals(1, again.output().strip().lines().count(), again.output());
        ExternalTool.Result forced = ToolProcess.run(ImportMain.class, "-q", "-f", src.toString(), img + ":/");
        assertEquals(0, forced.exitCode(), forced.toString());
        assertEquals("", forced.output(), "-q prints nothing");
        try (Ext3FileSystem fs = openReadOnly(img)) {
            assertEquals(describeLocal(src), describeVolume(fs, "/media"));
        }
        assertChecksClean(img);
    }

    @Test
    void offlineImportAtFourKibIsCleanForE2fsck() throws Exception {
        Path src = sourceTree();
        Path img = image(dir.resolve("v4k.img"), 4096);
        // one source onto a name that does not exist yet: the copy is named by DEST, as cp does
        assertEquals(0, ToolProcess.run(ImportMain.class, "-q", src.toString(), img + ":/renamed").exitCode());
        ExternalTool.Result e2fsck = E2fsprogs.checkReadOnly(img);
        assertEquals(0, e2fsck.exitCode(), e2fsck.toString());
        try (Ext3FileSystem fs = openReadOnly(img)) {
            assertEquals(describeLocal(src), describeVolume(fs, "/renamed"));
        }
    }

    @Test
    void anImportThatDoesNotFitIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path src = dir.resolve("big");
        Files.createDirectories(src);
        Files.writeString(src.resolve("first.txt"), "copied first if anything were copied");
        try (FileChannel ch = FileChannel.open(src.resolve("huge.bin"), java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {1}), 80L * MIB); // sparse: 80 MiB that take no disk here
        }
        Path img = image(dir.resolve("small.img"), MIB);
        ExternalTool.Result r = ToolProcess.run(ImportMain.class, src.toString(), img + ":/");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.output().contains("needs") && r.output().contains("available") && r.output().contains(
                "nothing copied"), r.output());
        assertEquals(1, r.output().strip().lines().count(), r.output());
        try (Ext3FileSystem fs = openReadOnly(img)) {
            assertEquals(List.of(".", "..", "lost+found"), fs.readdir(FileSystem.ROOT_INO).stream()
                    .map(DirEntry::name).toList());
        }
        assertChecksClean(img);
    }

    /** A read error part-way, or Ctrl-C / SIGTERM (what ImportMain's InterruptGuard does: cancel the importer). */
    @ParameterizedTest
    @ValueSource(strings = {"read error", "interrupted"})
    void aFailurePartWayRemovesThePartialFileAndLeavesTheVolumeClean(String cause) throws Exception {
        Path src = sourceTree();
        Path img = image(dir.resolve("fail.img"), MIB);
        long freeBefore;
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(img, false), EngineOptions.defaults())) {
            freeBefore = fs.statfs().freeBlocks();
        }
        AtomicReference<Importer> importer = new AtomicReference<>();
        AtLimit atLimit = cause.equals("read error") ? () -> {
            throw new IOException("Input/output error"); // as a bad disk under the source would
        } : () -> importer.get().cancel();
        // the big file's source reaches its trouble after 3 MiB
        Importer.SourceOpener sources = p -> p.endsWith("movie.bin") ? atLimit(FileChannel.open(p), 3 * MIB, atLimit)
                : FileChannel.open(p);
        ImportFailure failure;
        try (ImportTarget target = new VolumeTarget(VolumeTarget.openVolume(List.of(img)), img.toString(), "/")) {
            ImportPlan plan = ImportPlan.walk(Map.of(src, "media"));
            importer.set(new Importer(target, false, Progress.NONE, sources));
            failure = assertThrows(ImportFailure.class, () -> importer.get().run(plan));
        }
        assertEquals(ImportFailure.FAILED, failure.exitCode());
        assertTrue(failure.getMessage().contains("movie.bin") && failure.getMessage().contains("partial copy was"
                + " removed") && failure.getMessage().contains(cause.equals("read error") ? "Input/output error"
                : "interrupted"), failure.getMessage());
        try (Ext3FileSystem fs = openReadOnly(img)) {
            FsException gone = assertThrows(FsException.class, () -> fs.resolve("/media/a/movie.bin"));
            assertEquals(Errno.ENOENT, gone.errno());
            fs.resolve("/media/a"); // made before the failure: kept
            // everything the fallocate took came back: only what was imported before the failure uses blocks
            assertEquals(freeBefore - blocksUnder(fs, fs.resolve("/media")), fs.statfs().freeBlocks());
        }
        try (FileMember dev = new FileMember(img, true)) {
            var report = VolumeChecker.check(dev, CheckOptions.READ_ONLY_FORCED);
            assertTrue(report.clean(), report.found().toString());
        }
    }

    /** Blocks (data and indirect) held by {@code ino} and everything under it. */
    private static long blocksUnder(FileSystem fs, long ino) throws IOException {
        Attr a = fs.getattr(ino);
        long blocks = a.blocks512() / (fs.blockSize() / 512);
        if (a.isDirectory()) {
            for (DirEntry e : children(fs, ino)) {
                blocks += blocksUnder(fs, e.ino());
            }
        }
        return blocks;
    }

    /** What a source does once it has given {@code limit} bytes. */
    @FunctionalInterface
    private interface AtLimit {
        void reached() throws IOException;
    }

    /** A channel that runs {@code atLimit} on every read once {@code limit} bytes have been read. */
    private static ReadableByteChannel atLimit(FileChannel ch, long limit, AtLimit atLimit) {
        return new ReadableByteChannel() {
            private long read;

            @Override
            public int read(ByteBuffer dst) throws IOException {
                if (read >= limit) {
                    atLimit.reached();
                }
                int room = (int) Math.min(dst.remaining(), Math.max(1, limit - read));
                ByteBuffer slice = dst.slice().limit(room);
                int n = ch.read(slice);
                if (n > 0) {
                    dst.position(dst.position() + n);
                    read += n;
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return ch.isOpen();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Test
    void aLockedVolumeIsRefusedWithAHintToUseTheMountPoint() throws Exception {
        Path src = sourceTree();
        Path img = image(dir.resolve("locked.img"), MIB);
        // a mount holds exactly this lock (MountSession opens its members READ_WRITE.exclusively())
        try (BlockDevice held = BlockDevices.open(List.of(img), OpenOptions.READ_WRITE.exclusively())) {
            ExternalTool.Result r = ToolProcess.run(ImportMain.class, src.toString(), img + ":/");
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.output().contains("mounted or in use") && r.output().contains("import into the mount point"
                    + " instead"), r.output());
            assertEquals(1, r.output().strip().lines().count(), r.output());
        }
        try (Ext3FileSystem fs = openReadOnly(img)) {
            assertEquals(3, fs.readdir(FileSystem.ROOT_INO).size(), "nothing imported");
        }
    }

    @Test
    void importIntoADirectoryCopiesTheTree() throws Exception {
        Path src = sourceTree();
        Path into = Files.createDirectories(dir.resolve("mnt"));
        int exit = ToolRunner.run(new ImportMain(), new String[] {"-q", src.toString(), into.toString()}, 2, 1);
        assertEquals(0, exit);
        assertEquals(describeLocal(src), describeLocal(into.resolve("media")));
        assertEquals(1, ToolRunner.run(new ImportMain(), new String[] {"-q", src.toString(), into.toString()}, 2, 1),
                "existing files are refused without -f");
        assertEquals(0, ToolRunner.run(new ImportMain(), new String[] {"-q", "-f", src.toString(),
            into.toString()}, 2, 1));
        assertEquals(describeLocal(src), describeLocal(into.resolve("media")));
    }

    @Test
    void theProgressBarIsDrawnOnATerminalOnly() throws Exception {
        Path src = sourceTree();
        Path img = image(dir.resolve("tty.img"), MIB);
        ExternalTool.Result tty = Pty.run(ImportMain.class, src.toString(), img + ":/");
        assertEquals(0, tty.exitCode(), tty.toString());
        assertTrue(tty.output().contains("\rCopying [") && tty.output().contains("100% 6.3/6.3 MB"), tty.output());
        ExternalTool.Result quiet = Pty.run(ImportMain.class, "-q", "-f", src.toString(), img + ":/");
        assertEquals(0, quiet.exitCode(), quiet.toString());
        assertEquals("", quiet.output().strip(), "-q draws nothing even on a terminal");
        ExternalTool.Result piped = ToolProcess.run(ImportMain.class, "-f", src.toString(), img + ":/");
        assertFalse(piped.output().contains("\r") || piped.output().contains("Copying ["), piped.output());
    }

    @Test
    void badUsageAndBadSources() throws Exception {
        Path img = image(dir.resolve("bad.img"), MIB);
        ExternalTool.Result one = ToolProcess.run(ImportMain.class, img + ":/");
        assertEquals(2, one.exitCode(), one.toString());
        ExternalTool.Result missing = ToolProcess.run(ImportMain.class, dir.resolve("absent").toString(), img + ":/");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertEquals(1, missing.output().strip().lines().count(), missing.output());
        Path fifo = dir.resolve("fifo");
        assertEquals(0, ExternalTool.run("mkfifo", fifo.toString()).exitCode());
        ExternalTool.Result special = ToolProcess.run(ImportMain.class, fifo.toString(), img + ":/");
        assertEquals(1, special.exitCode(), special.toString());
        assertTrue(special.output().contains("not a regular file, directory or symbolic link"), special.output());
        ExternalTool.Result noDir = ToolProcess.run(ImportMain.class, dir.toString(), img.toString(),
                img + ":/no/such/dir");
        assertEquals(1, noDir.exitCode(), noDir.toString());
        assertTrue(noDir.output().contains("no such directory"), noDir.output());
        assertChecksClean(img);
    }
}
