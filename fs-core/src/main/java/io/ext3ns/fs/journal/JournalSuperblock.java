package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.CorruptFsException;
import java.util.Arrays;
import java.util.UUID;

/**
 * The JBD2 journal superblock (v2), the first 1024 bytes of journal block 0. A view over the raw bytes so fields we
 * do not model survive a rewrite. {@code s_start == 0} means the log is empty (nothing to replay);
 * otherwise the oldest live transaction starts at log block {@code s_start} with id {@code s_sequence}.
 */
public final class JournalSuperblock {
    public static final int SIZE = 1024;
    /** JBD2 refuses journals shorter than this (JBD2_MIN_JOURNAL_BLOCKS); we too up to 64 KiB blocks. */
    public static final int MIN_BLOCKS = 1024;
    public static final int INCOMPAT_REVOKE = 0x1;
    public static final int INCOMPAT_64BIT = 0x2;
    public static final int INCOMPAT_ASYNC_COMMIT = 0x4;
    public static final int INCOMPAT_CSUM_V2 = 0x8;
    public static final int INCOMPAT_CSUM_V3 = 0x10;
    public static final int INCOMPAT_FAST_COMMIT = 0x20;
    /** The only feature whose log format we read and write: revoke records with 32-bit block numbers. */
    public static final int INCOMPAT_SUPPORTED = INCOMPAT_REVOKE;

    private final byte[] b;

    private JournalSuperblock(byte[] b) {
        this.b = b;
    }

    /** A fresh, empty journal of {@code maxLen} blocks, as mke2fs writes it: first = 1, sequence = 1, one user. */
    public static JournalSuperblock create(int blockSize, long maxLen, UUID fsUuid) {
        JournalSuperblock sb = new JournalSuperblock(new byte[SIZE]);
        new BlockHeader(BlockHeader.SUPERBLOCK_V2, 0).writeInto(sb.b);
        BigEndian.put32(sb.b, 0x0C, blockSize);
        BigEndian.put32(sb.b, 0x10, maxLen);
        BigEndian.put32(sb.b, 0x14, 1);
        sb.setSequence(1);
        sb.setStart(0);
        Uuids.put(sb.b, 0x30, fsUuid);
        BigEndian.put32(sb.b, 0x40, 1);
        return sb;
    }

    /**
     * Copies and validates journal block 0 of a journal of {@code journalBlocks} blocks on a file system of
     * {@code fsBlockSize}; throws naming the first bad field. Unsupported features are refused here so that no later
     * code misreads a tag or revoke record.
     */
    public static JournalSuperblock decode(byte[] block0, int fsBlockSize, long journalBlocks) throws CorruptFsException {
        if (block0.length < SIZE) {
            throw new CorruptFsException("journal superblock: only " + block0.length + " bytes");
        }
        JournalSuperblock sb = new JournalSuperblock(Arrays.copyOf(block0, SIZE));
        BlockHeader h = BlockHeader.read(sb.b);
        if (h == null) {
            throw new CorruptFsException(String.format("journal superblock: bad magic 0x%08x", BigEndian.u32(sb.b, 0)));
        }
        if (h.type() != BlockHeader.SUPERBLOCK_V2 && h.type() != BlockHeader.SUPERBLOCK_V1) {
            throw new CorruptFsException("journal superblock: block type " + h.type() + " is not a superblock");
        }
        if (sb.blockSize() != fsBlockSize) {
            throw new CorruptFsException("journal superblock: block size " + sb.blockSize()
                    + " differs from the file system's " + fsBlockSize);
        }
        long min = JournalSize.minBlocks(fsBlockSize);
        if (sb.maxLen() < min || sb.maxLen() > journalBlocks) {
            throw new CorruptFsException("journal superblock: length " + sb.maxLen() + " blocks outside ["
                    + min + ", " + journalBlocks + "] (the journal inode's size)");
        }
        if (sb.first() < 1 || sb.first() >= sb.maxLen()) {
            throw new CorruptFsException("journal superblock: first log block " + sb.first() + " outside [1, "
                    + sb.maxLen() + ")");
        }
        if (sb.start() != 0 && (sb.start() < sb.first() || sb.start() >= sb.maxLen())) {
            throw new CorruptFsException("journal superblock: start " + sb.start() + " outside the log ["
                    + sb.first() + ", " + sb.maxLen() + ")");
        }
        if (h.type() == BlockHeader.SUPERBLOCK_V2) {
            // compat features change nothing a reader must understand (JBD2 and e2fsck ignore unknown ones);
            // COMPAT_CHECKSUM's v1 commit checksums are optional, and our unchecksummed commits (type 0, size 0)
            // are accepted by a kernel replay of such a journal
            int unsupported = sb.featureIncompat() & ~INCOMPAT_SUPPORTED;
            if (unsupported != 0 || sb.featureRoCompat() != 0) {
                throw new CorruptFsException(String.format("journal superblock: unsupported features incompat 0x%x"
                        + " ro_compat 0x%x (EXT3NS reads plain ext3 journals: revoke only)",
                        sb.featureIncompat(), sb.featureRoCompat()));
            }
        }
        return sb;
    }

    public byte[] bytes() {
        return b.clone();
    }

    public int blockSize() { return (int) BigEndian.u32(b, 0x0C); }
    public long maxLen() { return BigEndian.u32(b, 0x10); }
    public long first() { return BigEndian.u32(b, 0x14); }
    public long sequence() { return BigEndian.u32(b, 0x18); }
    public void setSequence(long tid) { BigEndian.put32(b, 0x18, tid); }
    public long start() { return BigEndian.u32(b, 0x1C); }
    public void setStart(long logBlock) { BigEndian.put32(b, 0x1C, logBlock); }
    public int errno() { return (int) BigEndian.u32(b, 0x20); }
    public int featureCompat() { return isV2() ? (int) BigEndian.u32(b, 0x24) : 0; }
    public int featureIncompat() { return isV2() ? (int) BigEndian.u32(b, 0x28) : 0; }
    public int featureRoCompat() { return isV2() ? (int) BigEndian.u32(b, 0x2C) : 0; }
    public UUID uuid() { return Uuids.get(b, 0x30); }
    public long nrUsers() { return BigEndian.u32(b, 0x40); }

    private boolean isV2() {
        return BigEndian.u32(b, 4) == BlockHeader.SUPERBLOCK_V2;
    }

    /** True when the log holds transactions that have not been checkpointed. */
    public boolean hasLiveTransactions() {
        return start() != 0;
    }
}
