package io.ext3ns.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;

/**
 * An import into a directory, typically inside a mounted EXT3NS: plain file-system calls through the kernel (and so
 * through FUSE), in the importer's large chunks.
 */
final class DirectoryTarget implements ImportTarget {
    private final Path root;
    private final FileStore store;

    DirectoryTarget(Path root) throws IOException {
        this.root = root;
        this.store = Files.getFileStore(root);
    }

    private Path at(String path) {
        return HostPaths.resolve(root, path); // the names' own bytes ({@link HostPaths})
    }

    @Override
    public Existing existing(String path) throws IOException {
        Path p = at(path);
        if (Files.isSymbolicLink(p)) {
            return new Existing(ImportPlan.Kind.SYMLINK, 0);
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            return new Existing(ImportPlan.Kind.DIRECTORY, 0);
        }
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return new Existing(ImportPlan.Kind.FILE, Files.size(p));
        }
        return null;
    }

    @Override
    public int blockSize() throws IOException {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(512, store.getBlockSize()));
    }

    @Override
    public long availableBytes() throws IOException {
        return store.getUsableSpace();
    }

    @Override
    public long freeInodes() {
        return -1; // Java's FileStore does not report inode counts
    }

    @Override
    public void mkdir(String path, int mode) throws IOException {
        Files.createDirectory(at(path));
    }

    @Override
    public void symlink(String path, String target) throws IOException {
        Files.createSymbolicLink(at(path), HostPaths.linkPath(target));
    }

    @Override
    public FileWriter create(String path, int mode, long size) throws IOException {
        FileChannel ch = FileChannel.open(at(path), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileWriter() {
            @Override
            public void write(ByteBuffer data) throws IOException {
                while (data.hasRemaining()) {
                    ch.write(data);
                }
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public void remove(String path) throws IOException {
        Files.deleteIfExists(at(path));
    }

    @Override
    public void setAttributes(String path, ImportPlan.Kind kind, int mode, FileTime atime, FileTime mtime)
            throws IOException {
        Path p = at(path);
        if (kind != ImportPlan.Kind.SYMLINK) {
            Files.setAttribute(p, "unix:mode", mode); // chmod(2) with all of 07777, setuid/setgid/sticky included
        }
        Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setTimes(mtime, atime, null);
    }

    @Override
    public String describe(String path) {
        return at(path).toString();
    }

    /** Nothing is held here: as for cp, the mounted file system owns durability (its commit interval, sync). */
    @Override
    public void close() {
    }
}
