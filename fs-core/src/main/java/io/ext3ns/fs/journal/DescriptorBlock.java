package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.CorruptFsException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A JBD2 descriptor block: the header, then one 8-byte tag per logged block ({@code be32 blocknr, be16 checksum,
 * be16 flags}). The first tag is followed by the 16-byte journal UUID, later ones set SAME_UUID; the last sets
 * LAST_TAG. The logged blocks follow the descriptor in tag order; a tag with ESCAPE marks a block whose leading
 * magic was zeroed on write.
 */
public final class DescriptorBlock {
    public static final int TAG_SIZE = 8;
    public static final int FLAG_ESCAPE = 0x1;
    public static final int FLAG_SAME_UUID = 0x2;
    public static final int FLAG_DELETED = 0x4;
    public static final int FLAG_LAST_TAG = 0x8;

    /** One logged block: where it goes home and whether its first four bytes must be restored to the magic. */
    public record Tag(long fsBlock, boolean escaped) {
    }

    private DescriptorBlock() {
    }

    /** How many tags one descriptor block of {@code blockSize} holds (the first tag carries the UUID). */
    public static int capacity(int blockSize) {
        return (blockSize - BlockHeader.SIZE - Uuids.SIZE) / TAG_SIZE;
    }

    public static byte[] encode(int blockSize, long tid, UUID uuid, List<Tag> tags) {
        if (tags.isEmpty() || tags.size() > capacity(blockSize)) {
            throw new IllegalArgumentException("descriptor holds 1.." + capacity(blockSize) + " tags, not " + tags.size());
        }
        byte[] b = new byte[blockSize];
        new BlockHeader(BlockHeader.DESCRIPTOR, tid).writeInto(b);
        int p = BlockHeader.SIZE;
        for (int i = 0; i < tags.size(); i++) {
            Tag t = tags.get(i);
            int flags = (t.escaped() ? FLAG_ESCAPE : 0) | (i > 0 ? FLAG_SAME_UUID : 0)
                    | (i == tags.size() - 1 ? FLAG_LAST_TAG : 0);
            BigEndian.put32(b, p, t.fsBlock());
            BigEndian.put16(b, p + 6, flags);
            p += TAG_SIZE;
            if (i == 0) {
                Uuids.put(b, p, uuid);
                p += Uuids.SIZE;
            }
        }
        return b;
    }

    /**
     * The tags of a descriptor, read as JBD2's recovery does (tags until LAST_TAG or the end of the block). Every
     * target is checked with {@code homeCheck} so that a corrupt descriptor can never send a replay outside the file
     * system or onto the journal itself.
     */
    public static List<Tag> decode(byte[] b, HomeBlockCheck homeCheck) throws CorruptFsException {
        List<Tag> tags = new ArrayList<>();
        int p = BlockHeader.SIZE;
        while (p + TAG_SIZE <= b.length) {
            long blockNr = BigEndian.u32(b, p);
            int flags = BigEndian.u16(b, p + 6);
            homeCheck.check(blockNr);
            tags.add(new Tag(blockNr, (flags & FLAG_ESCAPE) != 0));
            p += TAG_SIZE;
            if ((flags & FLAG_SAME_UUID) == 0) {
                p += Uuids.SIZE;
            }
            if ((flags & FLAG_LAST_TAG) != 0) {
                break;
            }
        }
        return tags;
    }

    /** Validates the home block number a log record names. */
    @FunctionalInterface
    public interface HomeBlockCheck {
        void check(long fsBlock) throws CorruptFsException;
    }
}
