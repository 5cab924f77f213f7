package io.ext3ns.fs.journal;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.metadata.MetadataWriter;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's metadata seam backed by the JBD2 journal (ordered mode). Each engine write-back (a batch of many
 * operations: fsync, sync, close, or too much dirty metadata) becomes one journal transaction, committed and then
 * written home at once ({@link Journal#commitAndWriteHome}): the seam has no read-through and no "block freed"
 * call, so blocks must be home when a commit returns and no older transaction may stay replayable. The engine
 * writes file data before handing over the metadata that points at it; the journal's flush before the commit
 * block makes that data durable first.
 *
 * <p>A batch larger than the journal (the engine keeps batches under {@link #maxTransactionBytes}, so this takes
 * an operation that alone dirties more than the journal holds) is split into journal-sized transactions: each is
 * atomic, the batch as a whole is not; a warning says so.
 */
public final class JournalMetadataWriter implements MetadataWriter {
    private static final Logger LOG = LoggerFactory.getLogger(JournalMetadataWriter.class);

    private final Journal journal;
    private long splitBatches;

    private JournalMetadataWriter(Journal journal) {
        this.journal = journal;
    }

    /**
     * The writer for the volume on {@code device}: journalled when the file system has a journal, {@code direct}
     * otherwise. Refuses a journal that still needs recovery (recover before mounting: {@link Journal#recoverIfNeeded}).
     */
    public static MetadataWriter create(BlockDevice device, MetadataWriter direct) throws IOException {
        if (!Journal.hasJournal(device)) {
            return direct;
        }
        Journal journal = Journal.open(device);
        if (journal.needsRecovery()) {
            throw new FsException(Errno.EUCLEAN, device.name()
                    + ": the journal holds transactions that were never replayed; recover it first");
        }
        return new JournalMetadataWriter(journal);
    }

    public Journal journal() {
        return journal;
    }

    /** Batches that had to be split because they did not fit the journal. */
    public synchronized long splitBatches() {
        return splitBatches;
    }

    @Override
    public long maxTransactionBytes() {
        // descriptors take about 1/500 of a transaction at 4 KiB blocks and less above; keep a 1/64 margin
        long blocks = journal.maxTransactionLogBlocks();
        return (blocks - blocks / 64 - 2) * journal.blockSize();
    }

    @Override
    public MetadataWriter.Transaction begin() {
        JournalTransaction tx = new JournalTransaction(journal.blockSize());
        return new MetadataWriter.Transaction() {
            @Override
            public void write(long blockNr, byte[] block) {
                tx.write(blockNr, block);
            }

            @Override
            public void commit() throws IOException {
                commitBatch(tx);
            }
        };
    }

    private synchronized void commitBatch(JournalTransaction tx) throws IOException {
        if (journal.logBlocksFor(tx) <= journal.maxTransactionLogBlocks()) {
            journal.commitAndWriteHome(tx);
            return;
        }
        List<JournalTransaction> parts = split(tx);
        splitBatches++;
        LOG.warn("metadata batch of {} blocks exceeds the journal ({} blocks): committed as {} transactions, "
                + "atomic each but not as a whole", tx.blocks().size(), journal.maxTransactionLogBlocks(), parts.size());
        for (JournalTransaction part : parts) {
            journal.commitAndWriteHome(part);
        }
    }

    private List<JournalTransaction> split(JournalTransaction tx) {
        List<JournalTransaction> parts = new ArrayList<>();
        JournalTransaction part = new JournalTransaction(tx.blockSize());
        for (Map.Entry<Long, byte[]> e : tx.blocks().entrySet()) {
            part.write(e.getKey(), e.getValue());
            if (journal.logBlocksFor(part) >= journal.maxTransactionLogBlocks()) {
                parts.add(part);
                part = new JournalTransaction(tx.blockSize());
            }
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    /** A clean unmount: the log is marked empty and the needs-recovery flag cleared. */
    @Override
    public void close() throws IOException {
        journal.close();
    }
}
