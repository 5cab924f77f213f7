package io.ext3ns.fs.metadata;

import io.ext3ns.sda.BlockDevice;
import java.io.IOException;

/**
 * The one seam every metadata block write goes through: superblock, group descriptors, bitmaps, inode-table blocks,
 * directory blocks and indirect blocks. File data never passes here; it is written to the device directly, and the
 * engine writes it <em>before</em> the metadata that points at it is handed to this seam (ordered mode).
 *
 * <p>The engine collects dirty metadata in its cache and writes it back as one transaction on sync, fsync, close, or
 * when too much is dirty: {@link #begin()}, one {@link Transaction#write} per block (whole blocks, each block at most
 * once per transaction), then {@link Transaction#commit()}. The engine's direct writer writes straight to the
 * device and flushes on commit. A JBD2 journal plugs in here: log the blocks in {@code write}, write the commit record
 * and checkpoint in {@code commit}; the engine needs no other change.
 */
public interface MetadataWriter {

    /** Starts a transaction. Transactions never overlap: the engine begins the next only after the last committed. */
    Transaction begin() throws IOException;

    /**
     * The largest batch, in bytes of metadata blocks, one transaction can take atomically: the engine writes back
     * before its dirty metadata grows past this (a journal is finite; the direct writer has no limit).
     */
    default long maxTransactionBytes() {
        return Long.MAX_VALUE;
    }

    /** Called once after the last commit of a clean unmount (a journal marks itself empty here). */
    default void close() throws IOException {
    }

    /** One atomic group of metadata block writes. */
    interface Transaction {
        /** Adds the full contents of block {@code blockNr}; the array is a private copy the writer may keep. */
        void write(long blockNr, byte[] block) throws IOException;

        /** Makes every block written in this transaction durable (or, journalled, durable in the log). */
        void commit() throws IOException;
    }

    /**
     * Creates the engine's metadata writer once the device is open (the journal plugs in here); {@code direct} is the
     * journal-less writer on the same device, for a volume without a journal.
     */
    @FunctionalInterface
    interface Factory {
        MetadataWriter create(BlockDevice device, MetadataWriter direct) throws IOException;
    }
}
