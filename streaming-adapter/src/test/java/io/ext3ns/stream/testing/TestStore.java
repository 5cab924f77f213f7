package io.ext3ns.stream.testing;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.testing.TestImages;
import io.ext3ns.sda.FileMember;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real store for the server tests: a sparse image formatted by our formatter (128 KiB blocks), opened with the
 * engine in this process, filled through the FileSystem API the way a FUSE copy would. Closing it closes the engine
 * and deletes the image.
 */
public final class TestStore implements Closeable {
    public static final int BLOCK_SIZE = 128 * 1024;
    private final Path image;
    private final Ext3FileSystem fs;

    private TestStore(Path image, Ext3FileSystem fs) {
        this.image = image;
        this.fs = fs;
    }

    /** Formats a fresh image of {@code bytes} in {@code dir} and opens it read-write. */
    public static TestStore create(Path dir, long bytes) throws Exception {
        Path image = dir.resolve("store.img");
        TestImages.format(image, bytes, BLOCK_SIZE);
        return new TestStore(image, Ext3FileSystem.open(new FileMember(image, false),
                EngineOptions.defaults().withCaches(8L << 20, 32L << 20)));
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
            Files.deleteIfExists(image);
        }
    }
}
