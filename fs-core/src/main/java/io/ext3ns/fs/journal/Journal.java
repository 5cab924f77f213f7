package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A mounted JBD2 journal (inode 8): commits transactions to the circular log, keeps their blocks until a checkpoint
 * writes them home, and replays a log left by a crash.
 *
 * <p>Commit protocol (crash-safe at every step): if the log was empty, journal superblock {@code s_start/s_sequence}
 * and the needs-recovery flag are written first; then revoke blocks, descriptors and logged blocks; flush (this also
 * makes file data the caller wrote before the commit durable: ordered mode); then the commit block; flush. Only a
 * transaction whose commit block is on disk is ever replayed.
 *
 * <p>Checkpoint writes the newest committed copy of every logged block home, flushes, then marks the log empty
 * ({@code s_start = 0}). It runs when the log or the memory budget for pending blocks runs short, and at close.
 * Callers must read metadata through {@link #pending} (committed but not yet home) before the device.
 *
 * <p>Not thread-safe beyond its own monitor: every public method is synchronized. After an I/O error the journal is
 * aborted and refuses further commits (the on-disk log is still replayable).
 */
public final class Journal implements AutoCloseable {
    private static final long DEFAULT_MAX_PENDING_BYTES = 256L << 20;
    private final JournalLog log;
    private final RecoverFlag recoverFlag;
    private final long pendingBudgetBytes;
    /** Newest committed contents of every block logged since the last checkpoint. */
    private final Map<Long, byte[]> pending = new LinkedHashMap<>();
    private long head;
    private long liveStart;
    private long nextTid;
    private boolean live;
    private IOException aborted;
    private final JournalStats stats = new JournalStats();

    private Journal(JournalLog log, long pendingBudgetBytes) {
        this.log = log;
        this.recoverFlag = new RecoverFlag(log.io());
        this.pendingBudgetBytes = pendingBudgetBytes;
        JournalSuperblock jsb = log.superblock();
        this.head = log.first();
        this.nextTid = jsb.sequence();
    }

    /**
     * Opens the journal of the file system on {@code dev} (validating the superblock, the journal inode's map and
     * the journal superblock). Does not replay: call {@link #recover()} first when {@link #needsRecovery()}.
     *
     * @param pendingBudgetBytes checkpoint once blocks awaiting checkpoint use this much memory (0: the default,
     *                           half the journal, at most 256 MiB)
     */
    public static Journal open(BlockDevice dev, long pendingBudgetBytes) throws IOException {
        DeviceBlocks probe = new DeviceBlocks(dev, Math.max(AlignedBuffers.PAGE, dev.alignment()));
        int blockSize = superblockBlockSize(probe);
        DeviceBlocks io = new DeviceBlocks(dev, blockSize);
        Superblock sb = RecoverFlag.readSuperblock(io);
        if (!sb.hasCompat(Features.COMPAT_HAS_JOURNAL) || sb.journalInum() == 0) {
            throw new FsException(Errno.EINVAL, dev.name() + ": the file system has no journal (has_journal not set)");
        }
        JournalLog log = JournalLog.open(io, sb);
        long budget = pendingBudgetBytes > 0 ? pendingBudgetBytes
                : Math.min(DEFAULT_MAX_PENDING_BYTES, log.capacity() * blockSize / 2);
        return new Journal(log, Math.max(budget, blockSize));
    }

    /** The journal with the default budget: half the journal's size, at most 256 MiB. */
    public static Journal open(BlockDevice dev) throws IOException {
        return open(dev, 0);
    }

    private static int superblockBlockSize(DeviceBlocks probe) throws IOException {
        return Superblock.decode(probe.read(0), Superblock.OFFSET).blockSize();
    }

    /** True when the log holds committed transactions that were never checkpointed (a crash left them). */
    public synchronized boolean needsRecovery() {
        return log.superblock().hasLiveTransactions() && !live;
    }

    /**
     * Replays the committed transactions a crash left in the log, marks the log empty and clears the needs-recovery
     * flag. The caller must re-read every metadata block (the superblock included) afterwards.
     */
    public synchronized RecoveryReport recover() throws IOException {
        if (live) {
            throw new IllegalStateException("recover() while this journal has live transactions");
        }
        RecoveryReport report = new JournalRecovery(log).run();
        head = log.first();
        nextTid = log.superblock().sequence();
        return report;
    }

    public int blockSize() {
        return log.io().blockSize();
    }

    /** The most journal blocks one transaction may take (the whole log but one block). */
    public long maxTransactionLogBlocks() {
        return log.capacity() - 1;
    }

    /** Journal blocks {@code tx} would take if committed now. */
    public synchronized long logBlocksFor(Transaction tx) {
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
     * Makes {@code tx} durable and atomic. Returns its transaction id (-1 for an empty transaction, which writes
     * nothing). The caller's file data for this transaction must already be written to the device.
     */
    public synchronized long commit(Transaction tx) throws IOException {
        checkUsable();
        if (tx.blockSize() != blockSize()) {
            throw new IllegalArgumentException("transaction block size " + tx.blockSize() + " != " + blockSize());
        }
        if (needsRecovery()) {
            throw new IllegalStateException("the journal needs recovery before new transactions");
        }
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
        try {
            return writeTransaction(tx, revokes);
        } catch (IOException | RuntimeException e) {
            aborted = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
    }

    private long writeTransaction(Transaction tx, List<Long> revokes) throws IOException {
        long tid = nextTid;
        long start = head;
        if (!live) {
            JournalSuperblock jsb = log.superblock();
            jsb.setStart(start);
            jsb.setSequence(tid);
            log.writeSuperblock();
            recoverFlag.writeOnDisk(true);
            stats.superblockWrites += 2;
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
            for (Map.Entry<Long, byte[]> e : chunk) {
                tags.add(new DescriptorBlock.Tag(e.getKey(), BlockHeader.hasMagic(e.getValue())));
            }
            long descriptorPos = pos;
            pos = log.next(pos);
            for (Map.Entry<Long, byte[]> e : chunk) {
                byte[] content = recoverFlag.forceSetIn(e.getKey(), e.getValue());
                if (BlockHeader.hasMagic(content)) {
                    content = content == e.getValue() ? content.clone() : content;
                    BigEndian.put32(content, 0, 0); // escaped: replay restores the magic
                }
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
        if ((long) pending.size() * bs > pendingBudgetBytes) {
            checkpoint();
        }
        return tid;
    }

    /** Revokes worth writing: blocks logged by a live transaction (older copies could otherwise be replayed). */
    private List<Long> revokesToWrite(Transaction tx) {
        List<Long> out = new ArrayList<>();
        for (long blk : tx.revoked()) {
            if (pending.containsKey(blk)) {
                out.add(blk);
            }
        }
        return out;
    }

    /** Writes every committed block home and empties the log. */
    public synchronized void checkpoint() throws IOException {
        checkUsable();
        if (!live) {
            return;
        }
        try {
            for (Map.Entry<Long, byte[]> e : new TreeMap<>(pending).entrySet()) {
                // The superblock goes home with RECOVER still set: the log is not empty until s_start = 0.
                log.io().write(e.getKey(), recoverFlag.forceSetIn(e.getKey(), e.getValue()));
            }
            log.io().flush();
            JournalSuperblock jsb = log.superblock();
            jsb.setStart(0);
            jsb.setSequence(nextTid);
            log.writeSuperblock();
            log.io().flush();
        } catch (IOException | RuntimeException e) {
            aborted = e instanceof IOException io ? io : new IOException(e);
            throw e;
        }
        stats.checkpoints++;
        stats.homeBlocksWritten += pending.size();
        stats.superblockWrites++;
        stats.flushes += 2;
        pending.clear();
        live = false; // the next transaction starts at head: the log is circular
    }

    /** Checkpoints everything and clears the needs-recovery flag: the file system is clean. */
    @Override
    public synchronized void close() throws IOException {
        if (aborted != null) {
            return; // leave the log for recovery
        }
        checkpoint();
        if (!log.superblock().hasLiveTransactions()) {
            recoverFlag.writeOnDisk(false);
            log.io().flush();
        }
    }

    private void checkUsable() throws IOException {
        if (aborted != null) {
            throw new FsException(Errno.EIO, "journal aborted after an I/O error; remount to recover", aborted);
        }
    }
}
