package io.ext3ns.stream.testing;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.FileMember;
import io.ext3ns.sda.IoEngine;
import io.ext3ns.sda.OpenOptions;

import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real store for the server tests: a sparse image formatted by our formatter (128 KiB blocks), opened with the
 * engine in this process, filled through the FileSystem API the way a FUSE copy would. Closing it closes the engine
 * and deletes the image (or the array's member files).
 */
public final class TestStore implements Closeable {
    public static final int BLOCK_SIZE = 128 * 1024;
    private static final EngineOptions OPTIONS = EngineOptions.defaults().withCaches(8L << 20, 32L << 20);
    private final List<Path> files;
    private final BlockDevice device;
    private final Ext3FileSystem fs;

    private TestStore(List<Path> files, BlockDevice device, Ext3FileSystem fs) {
        this.files = files;
        this.device = device;
        this.fs = fs;
    }

    /** Formats a fresh image of {@code bytes} in {@code dir} and opens it read-write. */
    public static TestStore create(Path dir, long bytes) throws Exception {
        Path image = dir.resolve("store.img");
        TestImages.format(image, bytes, BLOCK_SIZE);
        FileMember device = new FileMember(image, false);
        return new TestStore(List.of(image), device, Ext3FileSystem.open(device, OPTIONS));
    }

    /**
     * A Stream Disk Array of {@code members} sparse files of {@code bytesEach} in {@code dir} (split layout, 1 MiB
     * blocks), formatted as mkfs.ext3ns formats one, and opened read-write.
     */
    public static TestStore createArray(Path dir, int members, long bytesEach) throws Exception {
        return createArray(dir, members, bytesEach, IoEngine.configured());
    }

    /** {@link #createArray(Path, int, long)} opened on {@code engine} ({@link #device()} is the array). */
    public static TestStore createArray(Path dir, int members, long bytesEach, IoEngine engine) throws Exception {
        List<Path> paths = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            Path member = dir.resolve("member" + i + ".img");
            try (RandomAccessFile f = new RandomAccessFile(member.toFile(), "rw")) {
                f.setLength(bytesEach);
            }
            paths.add(member);
        }
        try (BlockDevice array = BlockDevices.create(paths, new ArraySpec(ArrayLayout.parse("split"), 1 << 20))) {
            VolumeFormatter.format(array, FormatSpec.builder().blockSize(1 << 20).build());
        }
        BlockDevice device = BlockDevices.open(paths, OpenOptions.READ_WRITE.withEngine(engine));
        return new TestStore(List.copyOf(paths), device, Ext3FileSystem.open(device, OPTIONS));
    }

    /** The device the file system is open on (owned by it). */
    public BlockDevice device() {
        return device;
    }

    public FileSystem fs() {
        return fs;
    }

    /** Writes a regular file at {@code path} (absolute), creating its directories. */
    public long addFile(String path, byte[] data) throws IOException {
        long dir = mkdirs(parent(path));
        long ino = fs.create(dir, name(path), Attr.S_IFREG | 0644, 0, 0);
        FileHandle h = fs.open(ino, true);
        try {
            fs.write(h, 0, ByteBuffer.wrap(data));
        } finally {
            fs.release(h);
        }
        return ino;
    }

    public long addSymlink(String path, String target) throws IOException {
        return fs.symlink(mkdirs(parent(path)), name(path), target, 0, 0);
    }

    /**
     * Closes this store's engine, keeping its files, and opens them again read-only, as ext3ns-serve does; the
     * returned store deletes the files when closed (this one must not be used any more).
     */
    public TestStore reopenReadOnly() throws Exception {
        fs.close();
        BlockDevice readOnly = BlockDevices.open(files, true);
        return new TestStore(files, readOnly, Ext3FileSystem.open(readOnly, OPTIONS.withReadOnly(true)));
    }

    public void sync() throws IOException {
        fs.sync();
    }

    private long mkdirs(String dir) throws IOException {
        long ino = FileSystem.ROOT_INO;
        for (String part : dir.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            try {
                ino = fs.lookup(ino, part);
            } catch (io.ext3ns.fs.api.FsException e) {
                ino = fs.mkdir(ino, part, 0755, 0, 0);
            }
        }
        return ino;
    }

    private static String parent(String path) {
        return path.substring(0, path.lastIndexOf('/'));
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public void close() throws IOException {
        try {
            fs.close();
        } finally {
            for (Path f : files) {
                Files.deleteIfExists(f);
            }
        }
    }
}
