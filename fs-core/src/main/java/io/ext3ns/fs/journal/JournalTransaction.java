package io.ext3ns.fs.journal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One atomic unit of metadata change: the new contents of a set of FS blocks, and the blocks freed since they were
 * logged (revoked). The last write of a block wins; writing a revoked block again cancels the revoke, as in JBD2.
 * Not thread-safe: the owner serialises access.
 */
public final class JournalTransaction {
    private final int blockSize;
    private final Map<Long, byte[]> blocks = new LinkedHashMap<>();
    private final Set<Long> revoked = new LinkedHashSet<>();

    public JournalTransaction(int blockSize) {
        this.blockSize = blockSize;
    }

    /** Logs the full new contents of {@code fsBlock} (copied: the caller may reuse its array). */
    public void write(long fsBlock, byte[] content) {
        if (content.length != blockSize) {
            throw new IllegalArgumentException("block " + fsBlock + ": " + content.length + " bytes, expected " + blockSize);
        }
        if (fsBlock < 0 || fsBlock > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("block number " + fsBlock + " does not fit a 32-bit journal tag");
        }
        revoked.remove(fsBlock);
        blocks.put(fsBlock, content.clone());
    }

    /** Records that {@code fsBlock} is no longer metadata: older logged copies must not be replayed over it. */
    public void revoke(long fsBlock) {
        blocks.remove(fsBlock);
        revoked.add(fsBlock);
    }

    public boolean isEmpty() {
        return blocks.isEmpty() && revoked.isEmpty();
    }

    public int blockSize() {
        return blockSize;
    }

    /** The newest contents of each written block, in first-write order (read-only view, arrays not copied). */
    public Map<Long, byte[]> blocks() {
        return Collections.unmodifiableMap(blocks);
    }

    public Set<Long> revoked() {
        return Collections.unmodifiableSet(revoked);
    }

    /** The newest contents this transaction holds for {@code fsBlock}, or null. */
    public byte[] get(long fsBlock) {
        return blocks.get(fsBlock);
    }

    /** Journal blocks this transaction takes: revoke blocks for {@code revokes} records, descriptors, data, commit. */
    public long logBlocks(int revokes) {
        long descriptors = ceilDiv(blocks.size(), DescriptorBlock.capacity(blockSize));
        long revokeBlocks = ceilDiv(revokes, RevokeBlock.capacity(blockSize));
        return revokeBlocks + descriptors + blocks.size() + 1;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
