package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.CorruptFsException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JBD2 revoke block: the header, {@code be32 r_count} (bytes used, header included), then 32-bit block numbers.
 * A revoked block is not replayed from any transaction up to and including the revoking one, so a freed
 * metadata block later reused for file data is never overwritten by an old logged copy.
 */
public final class RevokeBlock {
    private static final int RECORDS_OFFSET = 16;
    private static final int RECORD_SIZE = 4;

    private RevokeBlock() {
    }

    public static int capacity(int blockSize) {
        return (blockSize - RECORDS_OFFSET) / RECORD_SIZE;
    }

    public static byte[] encode(int blockSize, long tid, List<Long> blocks) {
        if (blocks.isEmpty() || blocks.size() > capacity(blockSize)) {
            throw new IllegalArgumentException("revoke block holds 1.." + capacity(blockSize) + " records");
        }
        byte[] b = new byte[blockSize];
        new BlockHeader(BlockHeader.REVOKE, tid).writeInto(b);
        int p = RECORDS_OFFSET;
        for (long blk : blocks) {
            BigEndian.put32(b, p, blk);
            p += RECORD_SIZE;
        }
        BigEndian.put32(b, BlockHeader.SIZE, p);
        return b;
    }

    /** The revoked block numbers; r_count must lie inside the block and cover whole records. */
    public static List<Long> decode(byte[] b) throws CorruptFsException {
        long count = BigEndian.u32(b, BlockHeader.SIZE);
        if (count < RECORDS_OFFSET || count > b.length || (count - RECORDS_OFFSET) % RECORD_SIZE != 0) {
            throw new CorruptFsException("journal revoke block: r_count " + count + " invalid for a "
                    + b.length + "-byte block");
        }
        List<Long> blocks = new ArrayList<>();
        for (int p = RECORDS_OFFSET; p < count; p += RECORD_SIZE) {
            blocks.add(BigEndian.u32(b, p));
        }
        return blocks;
    }
}
