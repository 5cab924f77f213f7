package io.ext3ns.fs.engine;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.disk.SuperblockOpener;
import io.ext3ns.fs.metadata.MetadataWriter;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mounted volume (Linux fs/ext2/super.c): superblock and group descriptors in memory, the mount protocol
 * (s_state valid → not-clean while mounted, mount count, mount/write times), refusal of images we must not write,
 * and write-back of the superblock and descriptor table through the metadata seam.
 */
final class Volume {
    private static final Logger LOG = LoggerFactory.getLogger(Volume.class);
    final Superblock sb;
    final Geometry geo;
    final Group[] groups;
    final BlockIo io;
    final MetadataCache meta;
    final MetadataWriter writer;
    final boolean readOnly;
    /** Why the volume is read-only although read-write was asked (null if it was not forced). */
    final String forcedReadOnlyReason;
    private final Object writeBackLock = new Object();
    /** I/O errors recorded so far: each open file reports the ones after its last report (see {@link OpenFile}). */
    private final AtomicLong errors = new AtomicLong();
    /** ERROR_FS is set in memory but could not be written to the superblock yet (the member was failing). */
    private volatile boolean errorFlagPending;
    private volatile WriteBackListener writeBackListener = WriteBackListener.NONE;
    private volatile DataFlusher dataFlusher = () -> { };
    /**
     * The commit barrier (jbd2's wait for running handles): every operation that changes metadata or gathered file
     * data holds it shared ({@link #update()}); a write-back holds it exclusively while it flushes gathered data and
     * copies the dirty metadata, so each transaction holds whole operations only. Without it a transaction could
     * hold a bitmap with a block taken but the descriptor counted before the take (issue 22), or a file size whose
     * data was still gathered in memory (zero-filled gaps after a crash, issue 16 D).
     */
    private final ReentrantReadWriteLock barrier = new ReentrantReadWriteLock();

    private Volume(Superblock sb, Geometry geo, Group[] groups, BlockIo io, MetadataCache meta, MetadataWriter writer,
                   boolean readOnly, String forcedReadOnlyReason) {
        this.sb = sb;
        this.geo = geo;
        this.groups = groups;
        this.io = io;
        this.meta = meta;
        this.writer = writer;
        this.readOnly = readOnly;
        this.forcedReadOnlyReason = forcedReadOnlyReason;
    }

    /**
     * Reads and validates the superblock and descriptors and decides read-only. Writes nothing: the caller validates
     * the rest of what it trusts, then calls {@link #markMounted}, so a refused mount changes no byte.
     */
    static Volume mount(BlockDevice device, EngineOptions opts, MetadataWriter.Factory writerFactory)
            throws IOException {
        // read-only policy: unknown ro_compat features force a read-only mount below rather than refuse it
        Superblock sb = SuperblockOpener.open(device, SuperblockOpener.Policy.READ_ONLY);
        Geometry geo = new Geometry(sb);
        BlockIo io = new BlockIo(device, geo.blockSize(), geo.blocksCount());
        String forced = null;
        if (!opts.readOnly()) {
            forced = readWriteRefusal(sb, device);
        }
        boolean ro = opts.readOnly() || forced != null;
        if (forced != null && isHardRefusal(sb)) {
            throw new FsException(Errno.EROFS, device.name() + ": " + forced);
        }
        MetadataCache meta = new MetadataCache(io, opts.metadataCacheBytes());
        Group[] groups = readGroups(io, geo);
        MetadataWriter writer = ro ? null : writerFactory.create(device, new DirectMetadataWriter(io));
        return new Volume(sb, geo, groups, io, meta, writer, ro, forced);
    }

    /** The first write of a read-write mount: s_state not-clean while mounted, mount count and times. */
    void markMounted() throws IOException {
        if (readOnly) {
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        synchronized (sb) {
            sb.setState(sb.state() & ~Superblock.STATE_VALID);
            sb.setMountCount(Math.min(sb.mountCount() + 1, 0xFFFF));
            sb.setMountTime(now);
            sb.setWriteTime(now);
        }
        stageSuperblock();
        meta.commit(writer, meta.snapshot(this::writeRank));
    }

    /** Why we must not write this image, or null: a dirty or errored image, a pending journal, unknown features. */
    private static String readWriteRefusal(Superblock sb, BlockDevice device) {
        if (device.readOnly()) {
            return "device opened read-only";
        }
        if ((sb.state() & Superblock.STATE_VALID) == 0 || (sb.state() & Superblock.STATE_ERROR) != 0) {
            return "file system was not cleanly unmounted or has errors; run fsck.ext3ns on it before mounting "
                    + "read-write (read-only mounting is still possible)";
        }
        if (sb.hasIncompat(Features.INCOMPAT_RECOVER)) {
            return "journal needs recovery; run fsck.ext3ns on it before mounting read-write";
        }
        if (sb.writeForbiddenByFeatures()) {
            return String.format("unknown read-only-compatible features 0x%x; mounted read-only",
                    sb.featureRoCompat() & ~Features.RO_COMPAT_SUPPORTED);
        }
        if (sb.hasCompat(Features.COMPAT_DIR_PREALLOC | Features.COMPAT_IMAGIC_INODES)) {
            return "compat features dir_prealloc/imagic_inodes are not maintained; mounted read-only";
        }
        return null;
    }

    /** Unknown ro_compat features and a read-only device only force read-only; the rest refuse the mount. */
    private static boolean isHardRefusal(Superblock sb) {
        return (sb.state() & Superblock.STATE_VALID) == 0 || (sb.state() & Superblock.STATE_ERROR) != 0
                || sb.hasIncompat(Features.INCOMPAT_RECOVER);
    }

    private static Group[] readGroups(BlockIo io, Geometry geo) throws IOException {
        long n = geo.groupCount(); // bounded by the opener (descriptor table inside group 0, at most 256 MiB)
        Group[] groups = new Group[(int) n];
        int perBlock = geo.blockSize() / GroupDescriptor.SIZE;
        long first = geo.gdtFirstBlock(0);
        for (long b = 0; b < geo.gdtBlocks(); b++) {
            byte[] raw = io.readBlock(first + b);
            for (int i = 0; i < perBlock; i++) {
                long g = b * perBlock + i;
                if (g >= n) {
                    break;
                }
                GroupDescriptor gd = GroupDescriptor.decode(raw, i * GroupDescriptor.SIZE, g, geo);
                gd.checkPlacement(g, geo); // fsck reports overlaps and goes on; a mount must not use them
                groups[(int) g] = new Group(g, gd);
            }
        }
        return groups;
    }

    /** Block holding the primary superblock, and the superblock's offset in it. */
    private long superblockBlock() {
        return geo.blockSize() == 1024 ? 1 : 0;
    }

    private int superblockOffsetInBlock() {
        return geo.blockSize() == 1024 ? 0 : Superblock.OFFSET;
    }

    /**
     * Puts the current superblock (free counts summed from the descriptors) and descriptor table into the metadata
     * cache as dirty blocks; the next write-back sends them through the seam.
     */
    void stageSuperblock() throws IOException {
        long freeBlocks = 0;
        long freeInodes = 0;
        for (Group g : groups) {
            synchronized (g) {
                freeBlocks += g.desc.freeBlocks();
                freeInodes += g.desc.freeInodes();
            }
        }
        synchronized (sb) {
            sb.setFreeBlocksCount(freeBlocks);
            sb.setFreeInodesCount(freeInodes);
            meta.modify(superblockBlock(), b -> {
                sb.encodeInto(b, superblockOffsetInBlock());
                return null;
            });
        }
        // descriptors are encoded under their group locks first, then copied in: a group lock is never held while
        // waiting for a metadata stripe here (allocators take them in the other order)
        int bs = geo.blockSize();
        byte[] table = new byte[Math.toIntExact(geo.gdtBlocks() * bs)];
        for (Group g : groups) {
            synchronized (g) {
                g.desc.encodeInto(table, (int) g.index * GroupDescriptor.SIZE);
            }
        }
        long first = geo.gdtFirstBlock(0);
        for (int blk = 0; blk < geo.gdtBlocks(); blk++) {
            int from = blk * bs;
            meta.modify(first + blk, b -> {
                System.arraycopy(table, from, b, 0, bs);
                return null;
            });
        }
    }

    /**
     * Writes back all metadata as one transaction (ext3's ordered-mode commit). With every update excluded: the
     * gathered file data goes to the write-behind queue (allocating its blocks), the superblock and descriptors are
     * staged and the dirty blocks copied. Then, with updates running again: the queued data reaches the device, and
     * the copies go through the seam, whose commit makes the data durable before the commit record. So a committed
     * size never covers data that was only in memory, and descriptors always match the bitmaps they commit with.
     * Must not be called inside an {@link #update()} (the barrier cannot be upgraded).
     */
    void writeBack() throws IOException {
        if (readOnly) {
            return;
        }
        if (barrier.getReadHoldCount() > 0) {
            throw new IllegalStateException("write-back from inside an update would wait for itself");
        }
        synchronized (writeBackLock) { // one write-back at a time, so the listener sees start/commit in pairs
            MetadataCache.Snapshot snapshot;
            barrier.writeLock().lock();
            try {
                dataFlusher.flushAll();
                writeBackListener.starting();
                stageSuperblock();
                snapshot = meta.snapshot(this::writeRank);
            } finally {
                barrier.writeLock().unlock();
            }
            io.drainWrites(); // ordered mode: data written behind reaches the device before metadata pointing at it
            if (errorFlagPending) {
                persistErrorFlag(); // the failing member may have come back
            }
            try {
                meta.commit(writer, snapshot);
            } catch (IOException e) {
                recordError("writing metadata back", e);
                throw e;
            }
            writeBackListener.committed();
        }
    }

    /** How many I/O errors {@link #recordError} has recorded since the mount. */
    long errorCount() {
        return errors.get();
    }

    /**
     * A write the volume could not make (metadata write-back, data block): logged with where it happened, counted
     * so every open file's next fsync, flush or close fails with EIO, and the volume marked with errors (s_state
     * ERROR_FS, as ext3's ext3_error does) so that it is not mounted read-write again before fsck has checked it.
     */
    void recordError(String what, IOException e) {
        LOG.error("{}: {} failed: {}; the volume is marked with errors (run fsck.ext3ns after unmounting)",
                io.device().name(), what, e.getMessage());
        errors.incrementAndGet();
        if (readOnly) {
            return;
        }
        synchronized (sb) { // every later superblock write carries the flag too, the unmount's included
            sb.setState(sb.state() | Superblock.STATE_ERROR);
        }
        errorFlagPending = true;
        // Written now inside a write-back; otherwise by the next one (the caller's fsync, the periodic commit or
        // the unmount). Never from here on another thread: a write-back holding the lock may be waiting for this
        // very thread (the write-behind) to drain.
        if (Thread.holdsLock(writeBackLock)) {
            persistErrorFlag();
        }
    }

    /**
     * Sets ERROR_FS in the primary superblock on disk, as ext3 does, bypassing the metadata seam (the journal
     * may have been aborted by the very error; a later replay keeps the flag: {@code Journal.recover}). The failing
     * member may refuse this write too: then it is tried again at each write-back. Under the write-back lock, so it
     * never races a write-back's own copy of the block.
     */
    private void persistErrorFlag() {
        try {
            long block = superblockBlock();
            byte[] b = io.readBlock(block);
            Superblock onDisk = Superblock.decode(b, superblockOffsetInBlock());
            onDisk.setState(onDisk.state() | Superblock.STATE_ERROR);
            onDisk.encodeInto(b, superblockOffsetInBlock());
            io.writeBlock(block, b);
            io.flush();
            errorFlagPending = false;
        } catch (IOException | RuntimeException e) {
            errorFlagPending = true; // tried again at the next write-back
            LOG.error("{}: could not mark the superblock with errors (retried at the next write-back): {}",
                    io.device().name(), e.toString());
        }
    }

    /**
     * The order of a write-back's blocks. A journal commits them atomically, in any order; written home directly
     * (no journal), a crash part-way leaves a prefix, so what is pointed at goes before what points at it: bitmaps,
     * directory and indirect blocks first, then inode tables (so a size or block pointer never lands before the
     * blocks it names), the descriptors and superblock last (their counts are summaries fsck recomputes).
     */
    private int writeRank(long blockNr) {
        if (blockNr <= superblockBlock() || (blockNr >= geo.gdtFirstBlock(0)
                && blockNr < geo.gdtFirstBlock(0) + geo.gdtBlocks())) {
            return 2;
        }
        long g = geo.groupOfBlock(Math.max(blockNr, geo.firstDataBlock()));
        if (g >= 0 && g < groups.length) {
            long table = groups[(int) g].desc.inodeTable();
            if (blockNr >= table && blockNr < table + geo.inodeTableBlocks()) {
                return 1;
            }
        }
        return 0;
    }

    /** An operation that changes metadata or gathered data: a write-back waits for it (close it when done). */
    Update update() {
        barrier.readLock().lock();
        return barrier.readLock()::unlock;
    }

    /** Held by a running update; closing it lets a waiting write-back take its snapshot. */
    interface Update extends AutoCloseable {
        @Override
        void close();
    }

    /** Writes every open file's gathered blocks behind (told by the engine, which keeps the open files). */
    @FunctionalInterface
    interface DataFlusher {
        /** Runs with every update excluded; a failure of one file goes to that file, never stops the write-back. */
        void flushAll() throws IOException;
    }

    void setDataFlusher(DataFlusher flusher) {
        this.dataFlusher = flusher;
    }

    /**
     * Told around each write-back. The block allocator uses it to keep blocks freed since a write-back began out of
     * reuse until that write-back has committed their free (see {@link FreedBlocks}).
     */
    interface WriteBackListener {
        WriteBackListener NONE = new WriteBackListener() {
            @Override
            public void starting() {
            }

            @Override
            public void committed() {
            }
        };

        /** A write-back begins: every change made before this call is in it or in the next one. */
        void starting();

        /** The write-back is durable (for a journal: committed). */
        void committed();
    }

    void setWriteBackListener(WriteBackListener listener) {
        this.writeBackListener = listener;
    }

    /** Marks the volume clean (s_state valid) and writes everything back: the last write of an unmount. */
    void unmount() throws IOException {
        if (readOnly) {
            return;
        }
        synchronized (sb) {
            sb.setState(sb.state() | Superblock.STATE_VALID);
            sb.setWriteTime(System.currentTimeMillis() / 1000);
        }
        writeBack();
        writer.close();
    }

    void checkWritable() throws FsException {
        if (readOnly) {
            throw new FsException(Errno.EROFS, forcedReadOnlyReason != null ? "read-only: " + forcedReadOnlyReason
                    : "file system is mounted read-only");
        }
    }
}
