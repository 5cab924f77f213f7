package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.CacheStats;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.MetricsSource;
import io.ext3ns.fs.api.StatFs;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.journal.Journal;
import io.ext3ns.fs.journal.JournalMetadataWriter;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.HugePageArena;
import io.ext3ns.sda.StreamDiskArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EXT3NS file system engine: ext3's on-disk format, opened on a {@link BlockDevice} and called directly by the
 * FUSE mount and the streaming server. The work is split as Linux's fs/ext2 splits it: {@link Volume} (super),
 * {@link BlockAllocator} (balloc), {@link InodeAllocator} (ialloc), {@link BlockMap} and {@link FileData} (inode,
 * file), {@link Directory} (dir) and {@link Namespace} (namei); this class holds them together, takes the per-inode
 * locks, and keeps the table of open inodes.
 *
 * <p>Thread safety: every operation locks only the inodes it touches (read or write) — no global lock on the data
 * path; allocators lock one group at a time; namespace changes share a rename lock that rename takes exclusively.
 *
 * <p>Durability: metadata is written back through the {@link MetadataWriter} seam on {@link #sync}, {@link #fsync},
 * {@link #close} and when too much is dirty; file data is written when a gathered block is full, on fsync, on the
 * last release of a writer and on sync, always before the metadata pointing at it. Times: atime is not updated on
 * reads (noatime). Files unlinked while open are kept on ext3's orphan list ({@link OrphanList}) and freed at their
 * last release, at close, or after a crash at the next read-write open.
 */
public final class Ext3FileSystem implements FileSystem, MetricsSource {
    private static final Logger LOG = LoggerFactory.getLogger(Ext3FileSystem.class);

    private final Volume vol;
    private final InodeStore inodes;
    private final LockTable locks = new LockTable();
    private final BlockAllocator balloc;
    private final InodeAllocator ialloc;
    private final BlockMap map;
    private final Directory dirs;
    private final DataCache dataCache;
    private final DirectoryIndex dirIndex;
    private final FileData data;
    private final Namespace names;
    private final XattrStore xattrs;
    private final EngineOptions opts;
    private final ConcurrentHashMap<Long, OpenInode> openInodes = new ConcurrentHashMap<>();
    private final boolean ownsDevice;
    /** Dirty metadata that triggers an early write-back: the option, or half of what one transaction can hold. */
    private final long dirtyLimit;
    private volatile boolean closed;

    private Ext3FileSystem(Volume vol, EngineOptions opts, boolean ownsDevice) {
        this.vol = vol;
        this.dirtyLimit = vol.writer == null ? opts.dirtyMetadataBytes()
                : Math.min(opts.dirtyMetadataBytes(), vol.writer.maxTransactionBytes() / 2);
        this.opts = opts;
        this.ownsDevice = ownsDevice;
        this.inodes = new InodeStore(vol, opts.inodeCacheEntries());
        this.dataCache = new DataCache(vol.io, opts.dataCacheBytes());
        this.balloc = new BlockAllocator(vol, dataCache::invalidate);
        vol.setWriteBackListener(balloc.freedBlocks());
        this.ialloc = new InodeAllocator(vol);
        this.map = new BlockMap(vol);
        this.dirIndex = new DirectoryIndex(opts.directoryIndexEntries());
        this.dirs = new Directory(vol, map, dirIndex);
        this.data = new FileData(vol, map, balloc, dataCache, opts.readAheadBlocks());
        this.names = new Namespace(vol, inodes, locks, ialloc, balloc, dirs, map, data, openInodes::containsKey);
        this.xattrs = new XattrStore(vol, balloc);
    }

    /**
     * Opens the file system on {@code device}, which it then owns (closed by {@link #close}); metadata goes through
     * the JBD2 journal when the volume has one, and a read-write open first replays a journal a crash left. Refuses
     * a dirty image read-write (run fsck.ext3ns), unknown incompatible features, a pending journal; forces read-only
     * on unknown ro_compat features.
     */
    public static Ext3FileSystem open(BlockDevice device, EngineOptions opts) throws IOException {
        return open(device, opts, JournalMetadataWriter::create, true);
    }

    /** As {@link #open(BlockDevice, EngineOptions)} with another metadata writer (the journal) behind the seam. */
    public static Ext3FileSystem open(BlockDevice device, EngineOptions opts, MetadataWriter.Factory writers,
                                      boolean ownsDevice) throws IOException {
        if (!opts.readOnly() && !device.readOnly()) {
            Journal.recoverIfNeeded(device).ifPresent(r -> LOG.info("{}: {}", device.name(), r.summary()));
        }
        Volume vol = Volume.mount(device, opts, writers);
        Ext3FileSystem fs = new Ext3FileSystem(vol, opts, ownsDevice);
        if (!vol.readOnly && vol.sb.lastOrphan() != 0) {
            fs.releaseOrphans();
        }
        return fs;
    }

    /**
     * ext3_orphan_cleanup: inodes a crash left on the orphan list (unlinked while open) are freed now; one that got
     * a name back is just taken off the list.
     */
    private void releaseOrphans() throws IOException {
        for (long ino : OrphanList.readChain(vol, inodes)) {
            Inode in = inodes.get(ino);
            if (in.mode() != 0 && in.linksCount() == 0) {
                LOG.info("{}: freeing orphan inode {}", vol.io.device().name(), ino);
                data.freeAllBlocks(ino, in);
                names.deleteInode(ino, in);
            } else {
                in.setDtime(0);
                inodes.put(ino, in);
            }
        }
        synchronized (vol.sb) {
            vol.sb.setLastOrphan(0);
        }
        vol.writeBack();
    }

    /** True when the volume is read-only (asked for, or forced: see {@link #readOnlyReason}). */
    public boolean readOnly() {
        return vol.readOnly;
    }

    /** Why read-write was refused and the volume mounted read-only instead, or null. */
    public String readOnlyReason() {
        return vol.forcedReadOnlyReason;
    }

    // ---- namespace ----

    @Override
    public long lookup(long dirIno, String name) throws FsException {
        return call(() -> names.lookup(dirIno, name));
    }

    @Override
    public Attr getattr(long ino) throws FsException {
        return call(() -> {
            try (LockTable.Held l = locks.read(ino)) {
                return attrOf(ino, inodes.getLive(ino));
            }
        });
    }

    private Attr attrOf(long ino, Inode in) {
        int type = in.fileType();
        int rdev = type == Inode.S_IFCHR || type == Inode.S_IFBLK
                ? (int) (in.block(0) != 0 ? in.block(0) : in.block(1)) : 0;
        return new Attr(ino, in.mode(), in.linksCount(), in.uid(), in.gid(), in.size(), in.blocks512(),
                vol.geo.blockSize(), in.atimeNanos(), in.mtimeNanos(), in.ctimeNanos(), rdev);
    }

    @Override
    public List<DirEntry> readdir(long dirIno) throws FsException {
        return call(() -> {
            try (LockTable.Held l = locks.read(dirIno)) {
                return dirs.list(dirIno, names.directory(dirIno));
            }
        });
    }

    @Override
    public long mkdir(long parentIno, String name, int mode, int uid, int gid) throws FsException {
        return changing(() -> names.mkdir(parentIno, name, mode, uid, gid));
    }

    @Override
    public void rmdir(long parentIno, String name) throws FsException {
        changing(() -> {
            names.rmdir(parentIno, name);
            return null;
        });
    }

    @Override
    public long create(long parentIno, String name, int mode, int uid, int gid) throws FsException {
        return changing(() -> names.create(parentIno, name, mode, uid, gid));
    }

    @Override
    public void unlink(long parentIno, String name) throws FsException {
        changing(() -> {
            names.unlink(parentIno, name);
            return null;
        });
    }

    @Override
    public void rename(long srcParentIno, String srcName, long dstParentIno, String dstName) throws FsException {
        changing(() -> {
            names.rename(srcParentIno, srcName, dstParentIno, dstName);
            return null;
        });
    }

    @Override
    public void link(long ino, long newParentIno, String newName) throws FsException {
        changing(() -> {
            names.link(ino, newParentIno, newName);
            return null;
        });
    }

    @Override
    public long symlink(long parentIno, String name, String target, int uid, int gid) throws FsException {
        return changing(() -> names.symlink(parentIno, name, target, uid, gid));
    }

    @Override
    public String readlink(long ino) throws FsException {
        return call(() -> names.readlink(ino));
    }

    // ---- attributes ----

    @Override
    public void chmod(long ino, int mode) throws FsException {
        updateInode(ino, in -> in.setMode((in.mode() & Inode.S_IFMT) | (mode & 07777)));
    }

    @Override
    public void chown(long ino, int uid, int gid) throws FsException {
        updateInode(ino, in -> {
            if (uid >= 0) {
                in.setUid(uid);
            }
            if (gid >= 0) {
                in.setGid(gid);
            }
        });
    }

    @Override
    public void utimens(long ino, long atimeNanos, long mtimeNanos) throws FsException {
        updateInode(ino, in -> {
            if (atimeNanos >= 0) {
                in.setAtimeNanos(atimeNanos);
            }
            if (mtimeNanos >= 0) {
                in.setMtimeNanos(mtimeNanos);
            }
        });
    }

    private interface InodeChange {
        void apply(Inode in) throws IOException;
    }

    /** An attribute change: under the inode's write lock, ctime set to now. */
    private void updateInode(long ino, InodeChange change) throws FsException {
        changing(() -> {
            vol.checkWritable();
            try (LockTable.Held l = locks.write(ino)) {
                Inode in = inodes.getLive(ino);
                change.apply(in);
                in.setCtimeNanos(Namespace.now());
                inodes.put(ino, in);
            }
            return null;
        });
    }

    @Override
    public void truncate(long ino, long size) throws FsException {
        updateInode(ino, in -> {
            requireRegular(ino, in);
            data.truncate(ino, in, openInodes.get(ino), size);
            in.setMtimeNanos(Namespace.now());
        });
    }

    @Override
    public StatFs statfs() throws FsException {
        long free = balloc.freeBlocks();
        long reserved = vol.sb.reservedBlocksCount();
        return new StatFs(vol.geo.blockSize(), vol.geo.blocksCount(), free, Math.max(0, free - reserved),
                vol.geo.inodesCount(), ialloc.freeInodes(), 255);
    }

    // ---- data ----

    @Override
    public FileHandle open(long ino, boolean write) throws FsException {
        return call(() -> {
            if (write) {
                vol.checkWritable();
            }
            try (LockTable.Held l = locks.write(ino)) {
                Inode in = inodes.getLive(ino);
                if (in.linksCount() == 0) {
                    throw new FsException(Errno.ENOENT, "inode " + ino + " was deleted");
                }
                if (write && in.isDirectory()) {
                    throw new FsException(Errno.EISDIR, "inode " + ino + " is a directory");
                }
                if (write && !in.isRegular()) {
                    throw new FsException(Errno.EINVAL, "inode " + ino + " is not a regular file");
                }
                OpenInode st = openInodes.computeIfAbsent(ino, OpenInode::new);
                st.handles++;
                if (write) {
                    st.writers++;
                }
                return new OpenFile(st, write);
            }
        });
    }

    @Override
    public int read(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        OpenFile h = check(handle, false);
        return call(() -> {
            try (LockTable.Held l = locks.read(h.ino())) {
                Inode in = inodes.getLive(h.ino());
                requireRegular(h.ino(), in);
                return data.read(h, in, offset, dst);
            }
        });
    }

    @Override
    public int write(FileHandle handle, long offset, ByteBuffer src) throws FsException {
        OpenFile h = check(handle, true);
        h.state.reportWriteError();
        return changing(() -> {
            try (LockTable.Held l = locks.write(h.ino())) {
                Inode in = inodes.getLive(h.ino());
                try {
                    return data.write(h, in, offset, src);
                } finally {
                    long t = Namespace.now();
                    in.setMtimeNanos(t);
                    in.setCtimeNanos(t);
                    inodes.put(h.ino(), in);
                }
            }
        });
    }

    @Override
    public void fallocate(FileHandle handle, long offset, long length) throws FsException {
        OpenFile h = check(handle, true);
        changing(() -> {
            try (LockTable.Held l = locks.write(h.ino())) {
                Inode in = inodes.getLive(h.ino());
                try {
                    data.fallocate(h.ino(), in, h.state, offset, length);
                } finally {
                    in.setCtimeNanos(Namespace.now());
                    inodes.put(h.ino(), in);
                }
            }
            return null;
        });
    }

    @Override
    public void fsync(FileHandle handle) throws FsException {
        OpenFile h = check(handle, false);
        call(() -> {
            flushInode(h.state);
            vol.writeBack(); // drains the write-behind first
            return null;
        });
        h.state.reportWriteError();
    }

    @Override
    public void flush(FileHandle handle) throws FsException {
        OpenFile h = check(handle, false);
        call(() -> {
            flushInode(h.state);
            vol.io.drainWrites();
            return null;
        });
        h.state.reportWriteError();
    }

    @Override
    public void release(FileHandle handle) throws FsException {
        OpenFile h = check(handle, false);
        h.released = true;
        call(() -> {
            long ino = h.ino();
            try (LockTable.Held l = locks.write(ino)) {
                OpenInode st = h.state;
                Inode in = inodes.getLive(ino);
                try {
                    if (h.writable() && --st.writers == 0) {
                        data.flushGathered(ino, in, st);
                        balloc.release(st.window);
                        vol.io.drainWrites(); // failures must reach st before it may be dropped below
                        st.reportWriteError();
                    }
                } finally {
                    if (--st.handles == 0) {
                        openInodes.remove(ino);
                        if (in.linksCount() == 0) {
                            data.freeAllBlocks(ino, in);
                            names.deleteInode(ino, in);
                        } else {
                            inodes.put(ino, in);
                        }
                    } else {
                        inodes.put(ino, in);
                    }
                }
            }
            return null;
        });
    }

    @Override
    public int readDirect(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        OpenFile h = check(handle, false);
        return call(() -> {
            long bs = vol.geo.blockSize();
            long fromFb = offset / bs;
            long toFb = fromFb + dst.remaining() / bs + 1;
            if (!h.state.gathered.isEmpty()) {
                try (LockTable.Held l = locks.write(h.ino())) {
                    if (FileData.hasGatheredIn(h.state, fromFb, toFb)) {
                        flushLocked(h.state);
                    }
                }
            }
            try (LockTable.Held l = locks.read(h.ino())) {
                Inode in = inodes.getLive(h.ino());
                requireRegular(h.ino(), in);
                return data.readDirect(h.ino(), in, offset, dst);
            }
        });
    }

    @Override
    public boolean canRegisterBuffers() {
        return vol.io.device() instanceof StreamDiskArray array && array.canRegisterBuffers();
    }

    @Override
    public boolean registerBuffers(HugePageArena arena) throws IOException {
        return vol.io.device() instanceof StreamDiskArray array && array.registerBuffers(arena);
    }

    // ---- extended attributes ----

    @Override
    public byte[] getxattr(long ino, String name) throws FsException {
        return call(() -> {
            try (LockTable.Held l = locks.read(ino)) {
                return xattrs.get(ino, inodes.getLive(ino), name);
            }
        });
    }

    @Override
    public List<String> listxattr(long ino) throws FsException {
        return call(() -> {
            try (LockTable.Held l = locks.read(ino)) {
                return xattrs.list(ino, inodes.getLive(ino));
            }
        });
    }

    @Override
    public void setxattr(long ino, String name, byte[] value, int flags) throws FsException {
        if (value == null) {
            throw new FsException(Errno.EINVAL, "setxattr without a value");
        }
        updateInode(ino, in -> xattrs.set(ino, in, name, value, flags));
    }

    @Override
    public void removexattr(long ino, String name) throws FsException {
        updateInode(ino, in -> xattrs.set(ino, in, name, null, 0));
    }

    @Override
    public int blockSize() {
        return vol.geo.blockSize();
    }

    /** Data first (every gathered block of every open file), then all metadata through the seam. */
    @Override
    public void sync() throws IOException {
        if (vol.readOnly) {
            return;
        }
        for (OpenInode st : new ArrayList<>(openInodes.values())) {
            flushInode(st);
        }
        vol.writeBack();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            sync();
            for (OpenInode st : openInodes.values()) {
                balloc.release(st.window);
                if (!vol.readOnly) {
                    freeIfUnlinked(st.ino); // closing the volume closes its handles
                }
            }
            vol.unmount();
        } finally {
            try {
                vol.io.closeWriteBehind();
            } finally {
                if (ownsDevice) {
                    vol.io.device().close();
                }
            }
        }
    }

    // ---- tools ----

    /** {logical, physical} of every mapped data block of a file, in logical order (fragmentation reports). */
    public List<long[]> dataBlocks(long ino) throws FsException {
        return call(() -> {
            try (LockTable.Held l = locks.read(ino)) {
                Inode in = inodes.getLive(ino);
                List<long[]> out = new ArrayList<>();
                if (in.isFastSymlink()) {
                    return out;
                }
                long[] phys = data.physicalBlocks(ino, in);
                for (int i = 0; i < phys.length; i++) {
                    if (phys[i] != 0) {
                        out.add(new long[] {i, phys[i]});
                    }
                }
                return out;
            }
        });
    }

    /** Metadata blocks looked at since open (inode-table, directory, indirect, bitmap blocks). */
    public long metadataBlockAccesses() {
        return vol.meta.accesses();
    }

    /** Hits and misses of the inode, metadata-block, directory-index and data caches since open. */
    @Override
    public List<CacheStats> cacheStats() {
        return List.of(inodes.stats(), vol.meta.stats(), dirIndex.stats(), dataCache.stats());
    }

    @Override
    public int[] deviceQueueDepths() {
        return vol.io.device() instanceof StreamDiskArray array ? array.memberQueueDepths() : new int[0];
    }

    /** Drops clean cached blocks (metadata and data), so the next reads come from the device. */
    public void dropCaches() {
        vol.meta.dropClean();
        dataCache.clear();
    }

    // ---- helpers ----

    private void freeIfUnlinked(long ino) throws IOException {
        try (LockTable.Held l = locks.write(ino)) {
            Inode in = inodes.get(ino);
            if (in.mode() != 0 && in.linksCount() == 0) {
                data.freeAllBlocks(ino, in);
                names.deleteInode(ino, in);
            }
        }
    }

    private void flushInode(OpenInode st) throws IOException {
        if (st.gathered.isEmpty()) {
            return;
        }
        try (LockTable.Held l = locks.write(st.ino)) {
            flushLocked(st);
        }
    }

    private void flushLocked(OpenInode st) throws IOException {
        Inode in = inodes.getLive(st.ino);
        try {
            data.flushGathered(st.ino, in, st);
        } finally {
            inodes.put(st.ino, in);
        }
    }

    private static void requireRegular(long ino, Inode in) throws FsException {
        if (in.isDirectory()) {
            throw new FsException(Errno.EISDIR, "inode " + ino + " is a directory");
        }
        if (!in.isRegular()) {
            throw new FsException(Errno.EINVAL, "inode " + ino + " is not a regular file");
        }
    }

    private OpenFile check(FileHandle handle, boolean write) throws FsException {
        if (!(handle instanceof OpenFile h) || h.released || openInodes.get(h.ino()) != h.state) {
            throw new FsException(Errno.EBADF, "not an open handle of this file system");
        }
        if (write && !h.writable()) {
            throw new FsException(Errno.EBADF, "handle of inode " + h.ino() + " is not open for writing");
        }
        return h;
    }

    private interface Op<T> {
        T run() throws IOException;
    }

    /** Runs an operation, turning device failures into EIO and programming slips into EIO with their cause. */
    private <T> T call(Op<T> op) throws FsException {
        if (closed) {
            throw new FsException(Errno.EIO, "file system is closed");
        }
        try {
            return op.run();
        } catch (FsException e) {
            throw e;
        } catch (IOException e) {
            throw new FsException(Errno.EIO, "I/O error on " + vol.io.device().name() + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException
                 | IndexOutOfBoundsException e) {
            throw new FsException(Errno.EIO, "internal error: " + e, e);
        }
    }

    /** A change: writes metadata back early when too much of it is dirty. */
    private <T> T changing(Op<T> op) throws FsException {
        T result = call(op);
        if (vol.meta.dirtyBytes() > dirtyLimit) {
            call(() -> {
                vol.writeBack();
                return null;
            });
        }
        return result;
    }
}
