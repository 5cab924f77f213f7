package io.ext3ns.fs.journal;

/**
 * A JBD2 commit block: the header plus the commit time (be64 seconds at 0x30, be32 nanoseconds at 0x38). Without
 * checksum features the checksum fields stay zero. A transaction without its commit block is never replayed.
 */
public final class CommitBlock {
    private CommitBlock() {
    }

    public static byte[] encode(int blockSize, long tid, long epochNanos) {
        byte[] b = new byte[blockSize];
        new BlockHeader(BlockHeader.COMMIT, tid).writeInto(b);
        BigEndian.put64(b, 0x30, Math.floorDiv(epochNanos, 1_000_000_000L));
        BigEndian.put32(b, 0x38, Math.floorMod(epochNanos, 1_000_000_000L));
        return b;
    }
}
