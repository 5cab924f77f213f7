package io.ext3ns.fs.journal;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.disk.SuperblockOpener;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A mounted JBD2 journal (inode 8): commits transactions to the circular log, writes their blocks home
 * (checkpoint), and replays a log left by a crash.
 *
 * <p>Commit protocol (crash-safe at every step): when no transaction is live, journal superblock
 * {@code s_start/s_sequence} are pointed at the new one and the needs-recovery flag is set; then revoke blocks,
 * descriptors and logged blocks are written; flush (this also makes file data the caller wrote before the commit
 * durable: ordered mode); then the commit block; flush. Only a transaction whose commit block is on disk is ever
 * replayed, so a crash at any point leaves the state before or after the transaction.
 *
 * <p>Two ways to checkpoint:
 * <ul>
 * <li>{@link #commit} keeps blocks in memory ({@link #pending}) until {@link #checkpoint} (run when the log or the
 * memory budget runs short, and at close) writes them home and marks the log empty. Callers must read metadata
 * through {@link #pending} and declare freed metadata blocks with {@link JournalTransaction#revoke}.</li>
 * <li>{@link #commitAndWriteHome} writes the transaction's blocks home right after its commit. The device is then
 * always current, and nothing older than the newest transaction can ever be replayed, so neither read-through nor
 * revokes are needed: this is what the engine's write-only metadata seam uses.</li>
 * </ul>
 *
 * <p>Every public method is synchronized. After an I/O error the journal is aborted and refuses further commits
 * (the on-disk log is still consistent and replayable).
 */
public final class Journal implements AutoCloseable {
    private static final long DEFAULT_MAX_PENDING_BYTES = 256L << 20;

    private final JournalLog log;
    private final RecoverFlag recoverFlag;
    private final long pendingBudgetBytes;
    /** Newest committed contents of every block logged but not yet written home. */
    private final Map<Long, byte[]> pending = new LinkedHashMap<>();
    private final JournalStats stats = new JournalStats();
    /** The log held transactions at open that nobody has replayed yet. */
    private boolean crashLog;
    /** Some committed transaction's blocks are not home yet. */
    private boolean live;
    /** The needs-recovery flag is known to be set on disk. */
    private boolean recoverSet;
    private long head;
    private long liveStart;
    private long nextTid;
    private IOException aborted;
    private boolean closed;

    private Journal(JournalLog log, long pendingBudgetBytes) {
        this.log = log;
        this.recoverFlag = new RecoverFlag(log.io());
        this.pendingBudgetBytes = pendingBudgetBytes;
        this.crashLog = log.superblock().hasLiveTransactions();
        this.head = crashLog ? log.superblock().start() : log.first();
        this.nextTid = log.superblock().sequence();
    }

    /**
     * Opens the journal of the file system on {@code dev} (validating the superblock, the journal inode's map and
     * the journal superblock). Does not replay: call {@link #recover()} first when {@link #needsRecovery()}.
     *
     * @param pendingBudgetBytes checkpoint once blocks awaiting checkpoint use this much memory (0: the default,
     *                           half the journal, at most 256 MiB)
     */
    public static Journal open(BlockDevice dev, long pendingBudgetBytes) throws IOException {
        Superblock sb = readSuperblock(dev);
        if (!hasJournal(sb)) {
            throw new FsException(Errno.EINVAL, dev.name() + ": the file system has no journal (has_journal not set)");
        }
        JournalLog log = JournalLog.open(new DeviceBlocks(dev, sb.blockSize()), sb);
        long budget = pendingBudgetBytes > 0 ? pendingBudgetBytes
                : Math.min(DEFAULT_MAX_PENDING_BYTES, log.capacity() * sb.blockSize() / 2);
        return new Journal(log, Math.max(budget, sb.blockSize()));
    }

    /** The journal with the default checkpoint budget. */
    public static Journal open(BlockDevice dev) throws IOException {
        return open(dev, 0);
    }

    /**
     * Mount-time recovery: when the file system on {@code dev} has a journal holding transactions a crash left,
     * replays them and returns what was done; empty when there is no journal or nothing to replay. Run it before
     * anything reads the file system's metadata.
     */
    public static Optional<RecoveryReport> recoverIfNeeded(BlockDevice dev) throws IOException {
        if (!hasJournal(readSuperblock(dev))) {
            return Optional.empty();
        }
        Journal j = open(dev);
        if (!j.needsRecovery()) {
            return Optional.empty();
        }
        return Optional.of(j.recover());
    }

    /** True when the file system on {@code dev} has a journal (has_journal and a journal inode). */
    public static boolean hasJournal(BlockDevice dev) throws IOException {
        return hasJournal(readSuperblock(dev));
    }

    static boolean hasJournal(Superblock sb) {
        return sb.hasCompat(Features.COMPAT_HAS_JOURNAL) && sb.journalInum() != 0;
    }

    /** Replay rewrites only blocks the log holds: unknown ro_compat features do not concern it (as the kernel). */
    private static Superblock readSuperblock(BlockDevice dev) throws IOException {
        return SuperblockOpener.open(dev, SuperblockOpener.Policy.READ_ONLY);
    }

    /** True when the log holds committed transactions that were never checkpointed (a crash left them). */
    public synchronized boolean needsRecovery() {
        return crashLog;
    }

    /**
     * Replays the committed transactions a crash left in the log, marks the log empty and clears the needs-recovery
     * flag. The caller must re-read every metadata block (the superblock included) afterwards.
     */
    public synchronized RecoveryReport recover() throws IOException {
        if (live) {
            throw new IllegalStateException("recover() while this journal has live transactions");
        }
        boolean hadErrors = (readSuperblock(log.io().device()).state() & Superblock.STATE_ERROR) != 0;
        RecoveryReport report = new JournalRecovery(log).run();
        if (hadErrors) {
            keepErrorFlag();
        }
        crashLog = false;
        recoverSet = false;
        head = log.first();
        nextTid = log.superblock().sequence();
        return report;
    }

    /**
     * A replayed copy of the superblock's block predates the error the engine recorded directly on disk: set
     * ERROR_FS again, as the kernel keeps its error state across a journal load (ext4_load_journal).
     */
    private void keepErrorFlag() throws IOException {
        DeviceBlocks io = log.io();
        long block = Superblock.OFFSET / io.blockSize();
        int offset = Superblock.OFFSET % io.blockSize();
        byte[] b = io.read(block);
        Superblock sb = Superblock.decode(b, offset);
        if ((sb.state() & Superblock.STATE_ERROR) == 0) {
            sb.setState(sb.state() | Superblock.STATE_ERROR);
            sb.encodeInto(b, offset);
            io.write(block, b);
            io.flush();
        }
    }

    public int blockSize() {
        return log.io().blockSize();
    }

    /** Journal blocks in the circular log. */
    public long logCapacity() {
        return log.capacity();
    }

    /** The most journal blocks one transaction may take (the whole log but one block). */
    public long maxTransactionLogBlocks() {
        return log.capacity() - 1;
    }

    /** Journal blocks {@code tx} would take if committed now. */
    public synchronized long logBlocksFor(JournalTransaction tx) {
        return tx.logBlocks(revokesToWrite(tx).size());
    }

    /** The newest committed contents of {@code fsBlock} not yet written home, or null (then the device is current). */
    public synchronized byte[] pending(long fsBlock) {
        byte[] b = pending.get(fsBlock);
        return b == null ? null : b.clone();
    }

    public synchronized JournalStats stats() {
        return stats.copy();
    }

    /**
     * Makes {@code tx} durable and atomic in the log; its blocks go home at a later checkpoint. Returns its
     * transaction id (-1 for an empty transaction, which writes nothing). The caller's file data for this
     * transaction must already be written to the device.
     */
    public synchronized long commit(JournalTransaction tx) throws IOException {
        checkUsable(tx);
        if (tx.isEmpty()) {
            return -1;
        }
        List<Long> revokes = revokesToWrite(tx);
        long needed = tx.logBlocks(revokes.size());
        if (needed > maxTransactionLogBlocks()) {
            throw new FsException(Errno.ENOSPC, "transaction needs " + needed + " journal blocks; the journal holds "
                    + maxTransactionLogBlocks() + " (commit smaller transactions or make the journal larger)");
        }
        if (live && log.capacity() - log.distance(liveStart, head) - 1 < needed) {
            checkpoint();
        }
        long tid = guarded(() -> writeTransaction(tx, revokes));
        if ((long) pending.size() * blockSize() > pendingBudgetBytes) {
            checkpoint();
        }
        return tid;
    }

    /**
     * Commits {@code tx}, then writes its blocks home and flushes: when this returns the device holds the new
     * metadata, and only this transaction (already home) can be replayed. The log is marked empty lazily, by the
     * next commit or {@link #close}.
     */
    public synchronized long commitAndWriteHome(JournalTransaction tx) throws IOException {
        long tid = commit(tx);
        if (live) {
            guarded(() -> {
                writeHome();
                return 0L;
            });
        }
        return tid;
    }

    private long writeTransaction(JournalTransaction tx, List<Long> revokes) throws IOException {
        long tid = nextTid;
        long start = head;
        if (!live) {
            JournalSuperblock jsb = log.superblock();
            jsb.setStart(start);
            jsb.setSequence(tid);
            log.writeSuperblock();
            stats.superblockWrites++;
            if (!recoverSet) {
                recoverFlag.writeOnDisk(true);
                recoverSet = true;
                stats.superblockWrites++;
            }
        }
        int bs = blockSize();
        long pos = start;
        for (int i = 0; i < revokes.size(); i += RevokeBlock.capacity(bs)) {
            List<Long> chunk = revokes.subList(i, Math.min(revokes.size(), i + RevokeBlock.capacity(bs)));
            log.write(pos, RevokeBlock.encode(bs, tid, chunk));
            pos = log.next(pos);
        }
        List<Map.Entry<Long, byte[]>> entries = new ArrayList<>(tx.blocks().entrySet());
        for (int i = 0; i < entries.size(); i += DescriptorBlock.capacity(bs)) {
            List<Map.Entry<Long, byte[]>> chunk = entries.subList(i, Math.min(entries.size(),
                    i + DescriptorBlock.capacity(bs)));
            List<DescriptorBlock.Tag> tags = new ArrayList<>(chunk.size());
            long descriptorPos = pos;
            pos = log.next(pos);
            for (Map.Entry<Long, byte[]> e : chunk) {
                byte[] content = recoverFlag.forceSetIn(e.getKey(), e.getValue());
                boolean escape = BlockHeader.hasMagic(content);
                if (escape) {
                    content = content.clone();
                    BigEndian.put32(content, 0, 0); // replay restores the magic
                }
                tags.add(new DescriptorBlock.Tag(e.getKey(), escape));
                log.write(pos, content);
                pos = log.next(pos);
            }
            log.write(descriptorPos, DescriptorBlock.encode(bs, tid, log.superblock().uuid(), tags));
        }
        log.io().flush();
        log.write(pos, CommitBlock.encode(bs, tid, System.currentTimeMillis() * 1_000_000L));
        log.io().flush();
        head = log.next(pos);
        nextTid = Tids.next(tid);
        if (!live) {
            live = true;
            liveStart = start;
        }
        for (long blk : tx.revoked()) {
            pending.remove(blk);
        }
        for (Map.Entry<Long, byte[]> e : tx.blocks().entrySet()) {
            pending.put(e.getKey(), e.getValue().clone());
        }
        stats.transactions++;
        stats.logBlocksWritten += log.distance(start, head);
        stats.flushes += 2;
        return tid;
    }

    /** Revokes worth writing: blocks logged by a live transaction (older copies could otherwise be replayed). */
    private List<Long> revokesToWrite(JournalTransaction tx) {
        List<Long> out = new ArrayList<>();
        for (long blk : tx.revoked()) {
            if (pending.containsKey(blk)) {
                out.add(blk);
            }
        }
        return out;
    }

    /** Writes every committed block home and marks the log empty. */
    public synchronized void checkpoint() throws IOException {
        checkUsable(null);
        guarded(() -> {
            if (live) {
                writeHome();
            }
            markEmpty();
            return 0L;
        });
    }

    /** The newest copy of every pending block goes home (superblock with the recovery flag kept set), then flush. */
    private void writeHome() throws IOException {
        for (Map.Entry<Long, byte[]> e : new TreeMap<>(pending).entrySet()) {
            log.io().write(e.getKey(), recoverFlag.forceSetIn(e.getKey(), e.getValue()));
        }
        log.io().flush();
        stats.checkpoints++;
        stats.homeBlocksWritten += pending.size();
        stats.flushes++;
        pending.clear();
        live = false; // the next transaction starts at head: the log is circular
    }

    private void markEmpty() throws IOException {
        JournalSuperblock jsb = log.superblock();
        if (!jsb.hasLiveTransactions()) {
            return;
        }
        jsb.setStart(0);
        jsb.setSequence(nextTid);
        log.writeSuperblock();
        log.io().flush();
        stats.superblockWrites++;
        stats.flushes++;
    }

    /** Checkpoints everything and clears the needs-recovery flag: the file system is clean. */
    @Override
    public synchronized void close() throws IOException {
        if (aborted != null || crashLog || closed) {
            return; // leave the log for recovery, or already closed
        }
        checkpoint();
        if (!log.io().device().readOnly()) {
            recoverFlag.writeOnDisk(false);
            log.io().flush();
            recoverSet = false;
        }
        closed = true;
    }

    private void checkUsable(JournalTransaction tx) throws IOException {
        if (aborted != null) {
            throw new FsException(Errno.EIO, "journal aborted after an I/O error; remount to recover", aborted);
        }
        if (crashLog) {
            throw new IllegalStateException("the journal needs recovery before new transactions");
        }
        if (closed) {
            throw new IllegalStateException("the journal is closed (the file system was unmounted)");
        }
        if (tx != null && tx.blockSize() != blockSize()) {
            throw new IllegalArgumentException("transaction block size " + tx.blockSize() + " != " + blockSize());
        }
    }

    private interface IoStep {
        long run() throws IOException;
    }

    /** Runs a step that writes the log or home blocks; any failure aborts the journal. */
    private long guarded(IoStep step) throws IOException {
        try {
            return step.run();
        } catch (IOException | RuntimeException e) {
            aborted = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
    }
}
