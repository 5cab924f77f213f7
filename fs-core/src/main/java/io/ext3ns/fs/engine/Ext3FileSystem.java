package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Attr;
import io.ext3ns.fs.api.CacheStats;
import io.ext3ns.fs.api.DirEntry;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FallocateMode;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.api.BlockCacheStats;
import io.ext3ns.fs.cache.BlockCache;
import io.ext3ns.fs.cache.CachedBlock;
import io.ext3ns.fs.api.MetricsSource;
import io.ext3ns.fs.api.StatFs;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.DeviceNumber;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.journal.Journal;
import io.ext3ns.fs.journal.JournalMetadataWriter;
import io.ext3ns.fs.metadata.MetadataWriter;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.MemberLatency;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * last release of a writer and on sync, always before the metadata pointing at it. Times: reads and directory
 * listings set atime as {@link EngineOptions#atime()} says (relatime by default, as the kernel mounts ext3). Files
 * unlinked while open are kept on ext3's orphan list ({@link OrphanList}) and freed at their last release, at
 * close, or after a crash at the next read-write open.
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
    private final CachedReads cached;
    private final int readAheadUnits;
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
        // cached units are keyed by inode and file position: FileData invalidates them, a freed block needs nothing
        this.balloc = new BlockAllocator(vol, block -> { });
        vol.setWriteBackListener(balloc.freedBlocks());
        vol.setDataFlusher(this::flushAllGathered);
        this.ialloc = new InodeAllocator(vol);
        this.map = new BlockMap(vol);
        this.dirIndex = new DirectoryIndex(opts.directoryIndexEntries());
        this.dirs = new Directory(vol, map, dirIndex);
        BlockCache cache = BlockCaches.open(vol.io, opts.dataCacheBytes());
        this.cached = new CachedReads(vol, map, inodes, locks, openInodes::get, cache);
        int ub = cache.unitBytes();
        this.readAheadUnits = opts.readAheadBlocks() == 0 ? 0
                : (int) Math.max(1, ((long) opts.readAheadBlocks() * vol.geo.blockSize() + ub - 1) / ub);
        this.data = new FileData(vol, map, balloc, cached);
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
        // everything the mount trusts is validated before its first write: a refused mount changes no byte
        fs.checkRoot();
        List<Long> orphans = !vol.readOnly && vol.sb.lastOrphan() != 0 ? OrphanList.readChain(vol, fs.inodes)
                : List.of();
        vol.markMounted();
        if (!orphans.isEmpty()) {
            fs.releaseOrphans(orphans);
        }
        return fs;
    }

    /** The root must be a live directory, or every lookup would fail with ENOENT on a mount that looks fine. */
    private void checkRoot() throws IOException {
        Inode root = inodes.get(ROOT_INO);
        if (!root.isDirectory() || root.linksCount() == 0 || root.size() == 0) {
            throw new CorruptFsException(String.format("root inode %d is not a live directory (mode 0%o, %d links,"
                    + " size %d); run fsck.ext3ns", ROOT_INO, root.mode(), root.linksCount(), root.size()));
        }
    }

    /**
     * ext3_orphan_cleanup: inodes a crash left on the orphan list (unlinked while open) are freed now; one that got
     * a name back is just taken off the list.
     */
    private void releaseOrphans(List<Long> chain) throws IOException {
        for (long ino : chain) {
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
        int rdev = type == Inode.S_IFCHR || type == Inode.S_IFBLK ? DeviceNumber.load(in) : 0;
        return new Attr(ino, in.mode(), in.linksCount(), in.uid(), in.gid(), in.size(), in.blocks512(),
                vol.geo.blockSize(), in.atimeNanos(), in.mtimeNanos(), in.ctimeNanos(), rdev);
    }

    @Override
    public List<DirEntry> readdir(long dirIno) throws FsException {
        return call(() -> {
            List<DirEntry> list;
            Inode dir;
            try (LockTable.Held l = locks.read(dirIno)) {
                dir = names.directory(dirIno);
                list = dirs.list(dirIno, dir);
            }
            accessed(dirIno, dir);
            return list;
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
        return call(() -> {
            String target = names.readlink(ino);
            Inode seen;
            try (LockTable.Held l = locks.read(ino)) {
                seen = inodes.getLive(ino);
            }
            accessed(ino, seen); // following a link reads it: the kernel touches its atime too
            return target;
        });
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

    /**
     * A shrink to a size inside a block is committed at once, then the new last block's tail is zeroed: written
     * before the commit, those zeros (or data written into that block next) would reach the disk while the old,
     * larger size is still the committed one, and a crash would show them inside the file.
     */
    @Override
    public void truncate(long ino, long size) throws FsException {
        boolean[] tail = new boolean[1];
        updateInode(ino, in -> {
            requireRegular(ino, in);
            tail[0] = !vol.readOnly && data.shrinkLeavesTail(in, size);
            data.truncate(ino, in, openInodes.get(ino), size);
            in.setMtimeNanos(Namespace.now());
        });
        if (tail[0]) {
            call(() -> {
                vol.writeBack();
                try (Volume.Update u = vol.update(); LockTable.Held l = locks.write(ino)) {
                    Inode in = inodes.getLive(ino);
                    data.zeroTailAfterShrink(ino, in, openInodes.get(ino), size);
                }
                return null;
            });
        }
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
                return new OpenFile(st, write, vol.errorCount(), readAheadUnits);
            }
        });
    }

    @Override
    public int read(FileHandle handle, long offset, ByteBuffer dst) throws FsException {
        OpenFile h = check(handle, false);
        return call(() -> {
            int n;
            Inode in;
            try (LockTable.Held l = locks.read(h.ino())) {
                in = inodes.getLive(h.ino());
                requireRegular(h.ino(), in);
                n = data.read(h, in, offset, dst);
            }
            accessed(h.ino(), in);
            return n;
        });
    }

    @Override
    public int write(FileHandle handle, long offset, ByteBuffer src) throws FsException {
        OpenFile h = check(handle, true);
        reportErrors(h, false);
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
        try {
            call(() -> {
                vol.writeBack(); // the commit writes every open file's gathered data first (ordered mode)
                return null;
            });
        } catch (FsException e) {
            h.errorsReported(vol.errorCount()); // this EIO reports them
            throw e;
        }
        reportErrors(h, true);
    }

    @Override
    public void flush(FileHandle handle) throws FsException {
        OpenFile h = check(handle, false);
        call(() -> {
            try (Volume.Update u = vol.update()) {
                flushInode(h.state);
            }
            vol.io.drainWrites();
            return null;
        });
        reportErrors(h, true);
    }

    /**
     * The inode's own lost write-behind first (once), then, with {@code volumeToo}, any other I/O error the volume
     * recorded since this handle last reported one (once): never the same error twice on one handle.
     */
    private void reportErrors(OpenFile h, boolean volumeToo) throws FsException {
        long errors = vol.errorCount();
        try {
            h.state.reportWriteError();
        } catch (FsException e) {
            h.errorsReported(errors);
            throw e;
        }
        if (volumeToo) {
            h.reportVolumeErrors(errors);
        }
    }

    @Override
    public void release(FileHandle handle) throws FsException {
        OpenFile h = check(handle, false);
        h.released = true;
        call(() -> {
            long ino = h.ino();
            try (Volume.Update u = vol.update(); LockTable.Held l = locks.write(ino)) {
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
                try (Volume.Update u = vol.update(); LockTable.Held l = locks.write(h.ino())) {
                    if (FileData.hasGatheredIn(h.state, fromFb, toFb)) {
                        flushLocked(h.state);
                    }
                }
            }
            int n;
            Inode in;
            try (LockTable.Held l = locks.read(h.ino())) {
                in = inodes.getLive(h.ino());
                requireRegular(h.ino(), in);
                n = data.readDirect(h.ino(), in, offset, dst);
            }
            accessed(h.ino(), in);
            return n;
        });
    }

    @Override
    public java.util.List<io.ext3ns.sda.MemberExtent> locateDirect(FileHandle handle, long offset, long length)
            throws FsException {
        OpenFile h = check(handle, false);
        if (!vol.readOnly) {
            // writable: a truncate could free these blocks and another file reuse them before the caller reads
            return null;
        }
        return call(() -> {
            long bs = vol.geo.blockSize();
            long fromFb = offset / bs;
            long toFb = (offset + length + bs - 1) / bs;
            if (!h.state.gathered.isEmpty()) {
                try (Volume.Update u = vol.update(); LockTable.Held l = locks.write(h.ino())) {
                    if (FileData.hasGatheredIn(h.state, fromFb, toFb)) {
                        flushLocked(h.state);
                    }
                }
            }
            try (LockTable.Held l = locks.read(h.ino())) {
                Inode in = inodes.getLive(h.ino());
                requireRegular(h.ino(), in);
                return data.locateDirect(h.ino(), in, offset, length);
            }
        });
    }

    // ---- special files, fallocate modes, exchange, set-id bits, atime ----

    @Override
    public long mknod(long parentIno, String name, int mode, int rdev, int uid, int gid) throws FsException {
        return changing(() -> names.mknod(parentIno, name, mode, rdev, uid, gid));
    }

    @Override
    public void exchange(long aParentIno, String aName, long bParentIno, String bName) throws FsException {
        changing(() -> {
            names.exchange(aParentIno, aName, bParentIno, bName);
            return null;
        });
    }

    /**
     * fallocate(2) with a mode, answered as vfs_fallocate and ext4 answer: PUNCH_HOLE needs KEEP_SIZE and excludes
     * ZERO_RANGE; COLLAPSE_RANGE, INSERT_RANGE, UNSHARE_RANGE and NO_HIDE_STALE are EOPNOTSUPP (ext3 has them on
     * no file: they need extents).
     */
    @Override
    public void fallocate(FileHandle handle, int mode, long offset, long length) throws FsException {
        boolean keepSize = (mode & FallocateMode.KEEP_SIZE) != 0;
        boolean punch = (mode & FallocateMode.PUNCH_HOLE) != 0;
        boolean zero = (mode & FallocateMode.ZERO_RANGE) != 0;
        if ((mode & ~FallocateMode.SUPPORTED) != 0 || punch && (!keepSize || zero)) {
            throw new FsException(Errno.EOPNOTSUPP, String.format("fallocate mode 0x%x not supported", mode));
        }
        if (mode == 0) {
            fallocate(handle, offset, length);
            return;
        }
        OpenFile h = check(handle, true);
        changing(() -> {
            try (LockTable.Held l = locks.write(h.ino())) {
                Inode in = inodes.getLive(h.ino());
                try {
                    if (punch) {
                        data.punchHole(h.ino(), in, h.state, offset, length);
                    } else if (zero) {
                        data.zeroRange(h.ino(), in, h.state, offset, length, keepSize);
                    } else {
                        data.fallocateKeepSize(h.ino(), in, h.state, offset, length);
                    }
                } finally {
                    long t = Namespace.now();
                    if (punch || zero) {
                        in.setMtimeNanos(t);
                    }
                    in.setCtimeNanos(t);
                    inodes.put(h.ino(), in);
                }
            }
            return null;
        });
    }

    /**
     * file_remove_privs (should_remove_suid, setattr_should_drop_sgid): S_ISUID goes; S_ISGID goes when the group
     * may execute, or when the writer is not in the file's group (without group execute it is the mandatory-locking
     * mark only a group member may keep); ctime is set when a bit goes. No change, and no write, otherwise.
     */
    @Override
    public void clearSetIdForWrite(long ino, int callerGid) throws FsException {
        try {
            Attr a = getattr(ino);
            if (killedSetIdMode(a.mode(), a.gid() == callerGid) < 0) {
                return;
            }
        } catch (FsException e) {
            return; // the write that follows reports what is wrong with the file
        }
        updateInode(ino, in -> {
            int mode = killedSetIdMode(in.mode(), in.gid() == callerGid);
            if (mode >= 0) {
                in.setMode(mode);
            }
        });
    }

    /** The mode with the set-id bits a write clears cleared, or -1 when it clears none. */
    private static int killedSetIdMode(int mode, boolean inGroup) {
        int kill = mode & 04000;
        if ((mode & 02000) != 0 && ((mode & 010) != 0 || !inGroup)) {
            kill |= 02000;
        }
        return kill == 0 ? -1 : mode & ~kill;
    }

    /** An access (read, listing) at now: sets atime when the policy asks, rechecked under the write lock. */
    private void accessed(long ino, Inode seen) throws IOException {
        AtimePolicy policy = opts.atime();
        if (vol.readOnly || !policy.needsUpdate(seen.atimeNanos(), seen.mtimeNanos(), seen.ctimeNanos(),
                Namespace.now())) {
            return;
        }
        try (Volume.Update u = vol.update(); LockTable.Held l = locks.write(ino)) {
            Inode in = inodes.getLive(ino);
            long now = Namespace.now();
            if (in.linksCount() > 0 && policy.needsUpdate(in.atimeNanos(), in.mtimeNanos(), in.ctimeNanos(), now)) {
                in.setAtimeNanos(now);
                inodes.put(ino, in);
            }
        }
    }

    @Override
    public int cacheUnitBytes() {
        return cached.unitBytes();
    }

    @Override
    public CompletableFuture<CachedBlock> leaseAsync(FileHandle handle, long unit) {
        OpenFile h;
        try {
            h = check(handle, false);
        } catch (FsException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<CachedBlock> f = cached.cache.leaseAsync(h.ino(), unit, cached);
        long ub = cached.unitBytes();
        cached.readAheadAsync(h, unit * ub, (unit + 1) * ub);
        return f;
    }

    /** The block cache itself (tests wait on its read-ahead). */
    BlockCache blockCache() {
        return cached.cache;
    }

    @Override
    public BlockCacheStats blockCacheStats() {
        BlockCache c = cached.cache;
        return new BlockCacheStats(c.hits(), c.misses(), c.bytes(), vol.io.memberReadBytes());
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
        vol.writeBack();
    }

    /**
     * The write-back's first step, with every update excluded: each open file's gathered blocks are written behind,
     * so the sizes about to be committed cover data on its way to the device only. A file that fails (no space
     * left for its blocks) gets the error on its next write, fsync or release; the others and the commit go on.
     */
    private void flushAllGathered() {
        for (OpenInode st : openInodes.values()) {
            if (st.gathered.isEmpty()) {
                continue;
            }
            IOException failed;
            try (LockTable.Held l = locks.write(st.ino)) {
                Inode in = inodes.getLive(st.ino);
                try {
                    failed = data.flushGatheredPastErrors(st.ino, in, st);
                } finally {
                    inodes.put(st.ino, in);
                }
            } catch (IOException e) {
                failed = e;
            }
            if (failed != null) {
                LOG.warn("{}: inode {}: writing gathered data at commit failed: {}", vol.io.device().name(),
                        st.ino, failed.getMessage());
                st.writeFailed(failed);
            }
        }
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
                try {
                    cached.cache.close();
                } finally {
                    if (ownsDevice) {
                        vol.io.device().close();
                    }
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
                if (!in.hasBlockMap()) {
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
        return List.of(inodes.stats(), vol.meta.stats(), dirIndex.stats(),
                new CacheStats("data", cached.cache.hits(), cached.cache.misses(), cached.cache.units()));
    }

    @Override
    public int[] deviceQueueDepths() {
        return vol.io.device().queueDepths();
    }

    @Override
    public List<MemberLatency> deviceRequestLatencies() {
        return vol.io.device().memberLatencies();
    }

    /** Drops clean cached blocks (metadata and data), so the next reads come from the device. */
    public void dropCaches() {
        vol.meta.dropClean();
        cached.cache.clear();
    }

    // ---- helpers ----

    private void freeIfUnlinked(long ino) throws IOException {
        try (Volume.Update u = vol.update(); LockTable.Held l = locks.write(ino)) {
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

    /**
     * Runs an operation, turning device failures into EIO. A programming slip is a bug, not a device failure: it is
     * logged as an internal error with its stack trace (the device's error count and ERROR_FS are left alone), and
     * the caller still gets EIO, the only answer a POSIX call has for it.
     */
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
            LOG.error("{}: internal error (a bug, not a device failure)", vol.io.device().name(), e);
            throw new FsException(Errno.EIO, "internal error: " + e, e);
        }
    }

    /** A change: writes metadata back early when too much of it is dirty. */
    private <T> T changing(Op<T> op) throws FsException {
        T result = call(() -> {
            try (Volume.Update u = vol.update()) {
                return op.run();
            }
        });
        if (vol.meta.dirtyBytes() > dirtyLimit) {
            call(() -> {
                vol.writeBack();
                return null;
            });
        }
        return result;
    }
}
