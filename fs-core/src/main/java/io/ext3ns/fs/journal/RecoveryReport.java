package io.ext3ns.fs.journal;

/**
 * What a journal recovery did: the committed transactions it replayed (ids {@code firstTid..lastTid}, none when
 * {@code transactions == 0}), how many home blocks it wrote and how many logged copies revokes suppressed, and why
 * the scan stopped. {@code discardedTail} names an incomplete or corrupt transaction that was not replayed.
 */
public record RecoveryReport(int transactions, long firstTid, long lastTid, int blocksWritten, int revokedCopies,
                             String stopReason, String discardedTail) {

    public boolean discardedSomething() {
        return discardedTail != null;
    }

    /** One line for logs and fsck output. */
    public String summary() {
        String replayed = transactions == 0 ? "no committed transaction to replay"
                : "replayed " + transactions + " transaction(s) " + firstTid + ".." + lastTid + ", " + blocksWritten
                + " block(s) written home, " + revokedCopies + " revoked copy(ies) skipped";
        return "journal: " + replayed + "; scan stopped: " + stopReason
                + (discardedTail == null ? "" : "; DISCARDED " + discardedTail);
    }
}
