package io.ext3ns.stream.testing;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.StatFs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small in-memory tree (directories, files, symlinks) behind the {@link FileSystem} contract, for unit tests of the
 * server's request handling that need odd trees (symlinks out of the store, loops). It enforces readDirect's
 * alignment rules so the server's fast-path use is checked; the end-to-end tests run on the real engine.
 */
public final class MemoryFileSystem implements FileSystem {
    private record Node(long ino, int mode, byte[] data, String target, Map<String, Long> children) {
    }

    private final int blockSize;
    private final Map<Long, Node> nodes = new ConcurrentHashMap<>();
    private final AtomicLong nextIno = new AtomicLong(ROOT_INO + 1);
    private final AtomicInteger openHandles = new AtomicInteger();

    public MemoryFileSystem(int blockSize) {
        this.blockSize = blockSize;
        nodes.put(ROOT_INO, new Node(ROOT_INO, Attr.S_IFDIR | 0755, null, null, new LinkedHashMap<>()));
    }

    /** Adds a file at an absolute path, creating directories. */
    public synchronized long addFile(String path, byte[] data) {
        return add(path, new Node(nextIno.getAndIncrement(), Attr.S_IFREG | 0644, data, null, null));
    }

    public synchronized long addSymlink(String path, String target) {
        return add(path, new Node(nextIno.getAndIncrement(), Attr.S_IFLNK | 0777, null, target, null));
    }

    public int openHandles() {
        return openHandles.get();
    }

    private long add(String path, Node node) {
        String[] parts = path.replaceAll("^/+", "").split("/");
        long dir = ROOT_INO;
        for (int i = 0; i < parts.length - 1; i++) {
            Map<String, Long> children = nodes.get(dir).children();
            Long next = children.get(parts[i]);
            if (next == null) {
                next = nextIno.getAndIncrement();
                nodes.put(next, new Node(next, Attr.S_IFDIR | 0755, null, null, new LinkedHashMap<>()));
                children.put(parts[i], next);
            }
            dir = next;
        }
        nodes.put(node.ino(), node);
        nodes.get(dir).children().put(parts[parts.length - 1], node.ino());
        return node.ino();
    }

    private Node node(long ino) throws FsException {
        Node n = nodes.get(ino);
        if (n == null) {
            throw new FsException(Errno.ENOENT, "no inode " + ino);
        }
        return n;
    }

    @Override
    public synchronized long lookup(long dirIno, String name) throws FsException {
        Node dir = node(dirIno);
        if (dir.children() == null) {
            throw new FsException(Errno.ENOTDIR, "not a directory: " + dirIno);
        }
        Long ino = dir.children().get(name);
        if (ino == null) {
            throw new FsException(Errno.ENOENT, name);
        }
        return ino;
    }

    @Override
    public Attr getattr(long ino) throws FsException {
        Node n = node(ino);
        long size = n.data() != null ? n.data().length : n.target() != null ? n.target().length() : blockSize;
        return new Attr(ino, n.mode(), 1, 0, 0, size, (size + 511) / 512, blockSize, 0, 1_000_000_000L, 0, 0);
    }

    @Override
    public synchronized List<DirEntry> readdir(long dirIno) throws FsException {
        List<DirEntry> out = new ArrayList<>();
        for (Map.Entry<String, Long> e : node(dirIno).children().entrySet()) {
            out.add(new DirEntry(e.getKey(), e.getValue(), 0));
        }
        return out;
    }

    @Override
    public String readlink(long ino) throws FsException {
        Node n = node(ino);
        if (n.target() == null) {
            throw new FsException(Errno.EINVAL, "not a symlink");
        }
        return n.target();
    }

    @Override
    public FileHandle open(long ino, boolean write) throws FsException {
        if (write) {
            throw new FsException(Errno.EROFS, "read-only test tree");
        }
        node(ino);
        openHandles.incrementAndGet();
        return new FileHandle() {
            public long ino() {
                return ino;
            }

            public boolean writable() {
                return false;
            }
        };
    }

    @Override
    public int read(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        byte[] data = node(handle.ino()).data();
        if (offset >= data.length) {
            return 0;
        }
        int n = (int) Math.min(dst.remaining(), data.length - offset);
        dst.put(data, (int) offset, n);
        return n;
    }

    @Override
    public int readDirect(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        if (offset % blockSize != 0 || dst.remaining() % blockSize != 0 || !dst.isDirect()) {
            throw new FsException(Errno.EINVAL, "unaligned readDirect: offset " + offset + " length "
                    + dst.remaining());
        }
        return read(handle, offset, dst);
    }

    @Override
    public void release(FileHandle handle) {
        openHandles.decrementAndGet();
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public StatFs statfs() {
        return new StatFs(blockSize, 0, 0, 0, 0, 0, 255);
    }

    @Override
    public void sync() {
    }

    @Override
    public void close() {
    }

    private static FsException readOnly() {
        return new FsException(Errno.EROFS, "read-only test tree");
    }

    @Override
    public long mkdir(long parentIno, String name, int mode, int uid, int gid) throws FsException {
        throw readOnly();
    }

    @Override
    public void rmdir(long parentIno, String name) throws FsException {
        throw readOnly();
    }

    @Override
    public long create(long parentIno, String name, int mode, int uid, int gid) throws FsException {
        throw readOnly();
    }

    @Override
    public void unlink(long parentIno, String name) throws FsException {
        throw readOnly();
    }

    @Override
    public void rename(long a, String b, long c, String d) throws FsException {
        throw readOnly();
    }

    @Override
    public void link(long ino, long newParentIno, String newName) throws FsException {
        throw readOnly();
    }

    @Override
    public long symlink(long parentIno, String name, String target, int uid, int gid) throws FsException {
        throw readOnly();
    }

    @Override
    public void chmod(long ino, int mode) throws FsException {
        throw readOnly();
    }

    @Override
    public void chown(long ino, int uid, int gid) throws FsException {
        throw readOnly();
    }

    @Override
    public void utimens(long ino, long atimeNanos, long mtimeNanos) throws FsException {
        throw readOnly();
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        throw readOnly();
    }

    @Override
    public int write(FileHandle handle, long offset, ByteBuffer src) throws FsException {
        throw readOnly();
    }

    @Override
    public void fallocate(FileHandle handle, long offset, long length) throws FsException {
        throw readOnly();
    }

    @Override
    public void fsync(FileHandle handle) throws FsException {
        throw readOnly();
    }
}
