package io.ext3ns.fs.journal;

/** Counters of what the journal wrote, for the benchmark and for tests that check batching. */
public final class JournalStats {
    long transactions;
    long logBlocksWritten;
    long homeBlocksWritten;
    long checkpoints;
    long superblockWrites;
    long flushes;

    public long transactions() { return transactions; }
    public long logBlocksWritten() { return logBlocksWritten; }
    public long homeBlocksWritten() { return homeBlocksWritten; }
    public long checkpoints() { return checkpoints; }
    public long superblockWrites() { return superblockWrites; }
    public long flushes() { return flushes; }

    JournalStats copy() {
        JournalStats s = new JournalStats();
        s.transactions = transactions;
        s.logBlocksWritten = logBlocksWritten;
        s.homeBlocksWritten = homeBlocksWritten;
        s.checkpoints = checkpoints;
        s.superblockWrites = superblockWrites;
        s.flushes = flushes;
        return s;
    }
}
