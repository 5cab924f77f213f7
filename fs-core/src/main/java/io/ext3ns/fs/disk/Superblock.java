package io.ext3ns.fs.disk;

import static io.ext3ns.fs.disk.LittleEndian.checkU16;
import static io.ext3ns.fs.disk.LittleEndian.checkU32;
import static io.ext3ns.fs.disk.LittleEndian.put16;
import static io.ext3ns.fs.disk.LittleEndian.put32;
import static io.ext3ns.fs.disk.LittleEndian.u16;
import static io.ext3ns.fs.disk.LittleEndian.u32;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The ext2/3 superblock: 1024 bytes at byte 1024 of the volume (backups at offset 0 of a backup group's first
 * block). The object is a view over the raw bytes, so fields we do not model (set by mke2fs or the kernel) survive
 * a read-modify-write byte for byte. {@link #decode} validates every field the rest of the code relies on.
 */
public final class Superblock {
    public static final int SIZE = 1024;
    /** Byte offset of the primary superblock on the volume. */
    public static final int OFFSET = 1024;
    public static final int MAGIC = 0xEF53;
    public static final int STATE_VALID = 0x1;
    public static final int STATE_ERROR = 0x2;
    public static final int ERRORS_CONTINUE = 1;
    public static final int REV_DYNAMIC = 1;
    public static final int GOOD_OLD_FIRST_INO = 11;
    public static final int MIN_LOG_BLOCK_SIZE = 0;
    /** 1024 << 11 = 2 MiB, the largest EXT3NS block; e2fsprogs and the kernel stop at 6 (64 KiB). */
    public static final int MAX_LOG_BLOCK_SIZE = 11;
    /** Group descriptor free counts are 16 bits; mke2fs keeps groups at 65528 blocks (8 × 8191). */
    public static final int MAX_BLOCKS_PER_GROUP = 65528;

    private final byte[] b;

    private Superblock(byte[] bytes) {
        this.b = bytes;
    }

    /** A zeroed superblock for mkfs to fill in. */
    public static Superblock blank() {
        return new Superblock(new byte[SIZE]);
    }

    /** Copies and validates a superblock; throws with the first field that is wrong. */
    public static Superblock decode(byte[] src, int offset) throws CorruptFsException {
        if (src.length - offset < SIZE) {
            throw new CorruptFsException("superblock: only " + (src.length - offset) + " bytes");
        }
        Superblock sb = new Superblock(Arrays.copyOfRange(src, offset, offset + SIZE));
        sb.validate();
        return sb;
    }

    public void encodeInto(byte[] dst, int offset) {
        System.arraycopy(b, 0, dst, offset, SIZE);
    }

    public Superblock copy() {
        return new Superblock(b.clone());
    }

    /** Checks every field geometry depends on; counts must agree with each other and fit the device's blocks. */
    public void validate() throws CorruptFsException {
        if (magic() != MAGIC) {
            throw new CorruptFsException(String.format("superblock: bad magic 0x%04x (not an ext2/3 file system)", magic()));
        }
        if (revLevel() != REV_DYNAMIC) {
            throw new CorruptFsException("superblock: revision " + revLevel() + " unsupported (need 1, dynamic)");
        }
        long log = u32(b, 0x18);
        if (log > MAX_LOG_BLOCK_SIZE) {
            throw new CorruptFsException("superblock: log block size " + log + " out of range 0.."
                    + MAX_LOG_BLOCK_SIZE);
        }
        if (u32(b, 0x1C) != log) {
            throw new CorruptFsException("superblock: cluster size differs from block size (bigalloc unsupported)");
        }
        int bs = blockSize();
        long expectFirst = bs == 1024 ? 1 : 0;
        if (firstDataBlock() != expectFirst) {
            throw new CorruptFsException("superblock: first data block " + firstDataBlock() + ", expected " + expectFirst);
        }
        long bpg = blocksPerGroup();
        if (bpg < 8 || bpg > Math.min(8L * bs, MAX_BLOCKS_PER_GROUP) || bpg % 8 != 0) {
            throw new CorruptFsException("superblock: blocks per group " + bpg + " out of range");
        }
        if (u32(b, 0x24) != bpg) {
            throw new CorruptFsException("superblock: clusters per group " + u32(b, 0x24) + " != blocks per group");
        }
        int isz = inodeSize();
        if (isz < 128 || isz > bs || Integer.bitCount(isz) != 1) {
            throw new CorruptFsException("superblock: inode size " + isz + " invalid");
        }
        if (firstIno() < GOOD_OLD_FIRST_INO) {
            throw new CorruptFsException("superblock: first inode " + firstIno() + " < 11");
        }
        long blocks = blocksCount();
        if (blocks <= firstDataBlock() + 1) {
            throw new CorruptFsException("superblock: blocks count " + blocks + " too small");
        }
        long groups = groupCount();
        long ipg = inodesPerGroup();
        int inodesPerBlock = bs / isz;
        if (ipg < inodesPerBlock || ipg > 8L * bs || ipg % 8 != 0) {
            throw new CorruptFsException("superblock: inodes per group " + ipg + " out of range");
        }
        if (ipg * groups != inodesCount()) {
            throw new CorruptFsException("superblock: inodes count " + inodesCount() + " != " + ipg + " per group × "
                    + groups + " groups");
        }
        if (firstIno() > inodesCount()) {
            throw new CorruptFsException("superblock: first inode beyond inodes count");
        }
        if (freeBlocksCount() > blocks || reservedBlocksCount() > blocks) {
            throw new CorruptFsException("superblock: free/reserved blocks exceed blocks count");
        }
        if (freeInodesCount() > inodesCount()) {
            throw new CorruptFsException("superblock: free inodes exceed inodes count");
        }
        int unknownIncompat = featureIncompat() & ~Features.INCOMPAT_SUPPORTED;
        if (unknownIncompat != 0) {
            throw new CorruptFsException(String.format(
                    "superblock: unsupported incompatible features 0x%x (ext4 features are not ext3)", unknownIncompat));
        }
        if (descSize() != 0 && descSize() != GroupDescriptor.SIZE) {
            throw new CorruptFsException("superblock: descriptor size " + descSize() + " unsupported (need 32)");
        }
    }

    // ---- derived geometry ----

    public int blockSize() {
        return 1024 << (int) u32(b, 0x18);
    }

    public int logBlockSize() {
        return (int) u32(b, 0x18);
    }

    public long groupCount() {
        return (blocksCount() - firstDataBlock() + blocksPerGroup() - 1) / blocksPerGroup();
    }

    public boolean hasCompat(int f) {
        return (featureCompat() & f) != 0;
    }

    public boolean hasIncompat(int f) {
        return (featureIncompat() & f) != 0;
    }

    public boolean hasRoCompat(int f) {
        return (featureRoCompat() & f) != 0;
    }

    /** True when unknown read-only-compatible features forbid writing. */
    public boolean writeForbiddenByFeatures() {
        return (featureRoCompat() & ~Features.RO_COMPAT_SUPPORTED) != 0;
    }

    // ---- fields ----

    public long inodesCount() { return u32(b, 0x00); }
    public void setInodesCount(long v) { checkU32("s_inodes_count", v); put32(b, 0x00, v); }
    public long blocksCount() { return u32(b, 0x04); }
    public void setBlocksCount(long v) { checkU32("s_blocks_count", v); put32(b, 0x04, v); }
    public long reservedBlocksCount() { return u32(b, 0x08); }
    public void setReservedBlocksCount(long v) { checkU32("s_r_blocks_count", v); put32(b, 0x08, v); }
    public long freeBlocksCount() { return u32(b, 0x0C); }
    public void setFreeBlocksCount(long v) { checkU32("s_free_blocks_count", v); put32(b, 0x0C, v); }
    public long freeInodesCount() { return u32(b, 0x10); }
    public void setFreeInodesCount(long v) { checkU32("s_free_inodes_count", v); put32(b, 0x10, v); }
    public long firstDataBlock() { return u32(b, 0x14); }
    public void setFirstDataBlock(long v) { put32(b, 0x14, v); }

    /** Sets log block size and the equal log cluster size. */
    public void setLogBlockSize(int log) {
        put32(b, 0x18, log);
        put32(b, 0x1C, log);
    }

    public long blocksPerGroup() { return u32(b, 0x20); }

    /** Sets blocks and the equal clusters per group. */
    public void setBlocksPerGroup(long v) {
        checkU32("s_blocks_per_group", v);
        put32(b, 0x20, v);
        put32(b, 0x24, v);
    }

    public long inodesPerGroup() { return u32(b, 0x28); }
    public void setInodesPerGroup(long v) { checkU32("s_inodes_per_group", v); put32(b, 0x28, v); }
    public long mountTime() { return u32(b, 0x2C); }
    public void setMountTime(long v) { put32(b, 0x2C, v); }
    public long writeTime() { return u32(b, 0x30); }
    public void setWriteTime(long v) { put32(b, 0x30, v); }
    public int mountCount() { return u16(b, 0x34); }
    public void setMountCount(int v) { put16(b, 0x34, v & 0xFFFF); }
    public int maxMountCount() { return (short) u16(b, 0x36); }
    public void setMaxMountCount(int v) { put16(b, 0x36, v); }
    public int magic() { return u16(b, 0x38); }
    public void setMagic(int v) { put16(b, 0x38, v); }
    public int state() { return u16(b, 0x3A); }
    public void setState(int v) { put16(b, 0x3A, v); }
    public int errors() { return u16(b, 0x3C); }
    public void setErrors(int v) { put16(b, 0x3C, v); }
    public long lastCheck() { return u32(b, 0x40); }
    public void setLastCheck(long v) { put32(b, 0x40, v); }
    public long checkInterval() { return u32(b, 0x44); }
    public void setCheckInterval(long v) { put32(b, 0x44, v); }
    public long creatorOs() { return u32(b, 0x48); }
    public void setCreatorOs(long v) { put32(b, 0x48, v); }
    public long revLevel() { return u32(b, 0x4C); }
    public void setRevLevel(long v) { put32(b, 0x4C, v); }
    public int defResUid() { return u16(b, 0x50); }
    public int defResGid() { return u16(b, 0x52); }
    public long firstIno() { return u32(b, 0x54); }
    public void setFirstIno(long v) { put32(b, 0x54, v); }
    public int inodeSize() { return u16(b, 0x58); }
    public void setInodeSize(int v) { checkU16("s_inode_size", v); put16(b, 0x58, v); }
    public int blockGroupNr() { return u16(b, 0x5A); }
    public void setBlockGroupNr(int v) { checkU16("s_block_group_nr", v); put16(b, 0x5A, v); }
    public int featureCompat() { return (int) u32(b, 0x5C); }
    public void setFeatureCompat(int v) { put32(b, 0x5C, v & 0xFFFF_FFFFL); }
    public int featureIncompat() { return (int) u32(b, 0x60); }
    public void setFeatureIncompat(int v) { put32(b, 0x60, v & 0xFFFF_FFFFL); }
    public int featureRoCompat() { return (int) u32(b, 0x64); }
    public void setFeatureRoCompat(int v) { put32(b, 0x64, v & 0xFFFF_FFFFL); }

    public UUID uuid() {
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = hi << 8 | (b[0x68 + i] & 0xFF);
            lo = lo << 8 | (b[0x70 + i] & 0xFF);
        }
        return new UUID(hi, lo);
    }

    public void setUuid(UUID u) {
        for (int i = 0; i < 8; i++) {
            b[0x68 + i] = (byte) (u.getMostSignificantBits() >>> (56 - 8 * i));
            b[0x70 + i] = (byte) (u.getLeastSignificantBits() >>> (56 - 8 * i));
        }
    }

    public String volumeName() {
        return cString(0x78, 16);
    }

    public void setVolumeName(String name) {
        putCString(0x78, 16, name, "volume label");
    }

    public String lastMounted() {
        return cString(0x88, 64);
    }

    public void setLastMounted(String path) {
        byte[] raw = path.getBytes(StandardCharsets.UTF_8);
        Arrays.fill(b, 0x88, 0x88 + 64, (byte) 0);
        System.arraycopy(raw, 0, b, 0x88, Math.min(raw.length, 63));
    }

    public int reservedGdtBlocks() { return u16(b, 0xCE); }
    public void setReservedGdtBlocks(int v) { put16(b, 0xCE, v); }
    public long journalInum() { return u32(b, 0xE0); }
    public void setJournalInum(long v) { put32(b, 0xE0, v); }
    /** s_journal_uuid: names an external journal device; all zero for an internal journal. */
    public boolean hasJournalUuid() {
        for (int i = 0xD0; i < 0xE0; i++) {
            if (b[i] != 0) {
                return true;
            }
        }
        return false;
    }

    public void clearJournalUuid() { Arrays.fill(b, 0xD0, 0xE0, (byte) 0); }
    public long lastOrphan() { return u32(b, 0xE8); }
    public void setLastOrphan(long v) { put32(b, 0xE8, v); }
    public int defHashVersion() { return b[0xFC] & 0xFF; }
    public int jnlBackupType() { return b[0xFD] & 0xFF; }
    public void setJnlBackupType(int v) { b[0xFD] = (byte) v; }
    public int descSize() { return u16(b, 0xFE); }
    public long mkfsTime() { return u32(b, 0x108); }
    public void setMkfsTime(long v) { put32(b, 0x108, v); }

    /** s_jnl_blocks[i], i in 0..16: the journal inode's i_block[0..14], i_size_high, i_size. */
    public long jnlBlock(int i) { return u32(b, 0x10C + 4 * i); }
    public void setJnlBlock(int i, long v) { put32(b, 0x10C + 4 * i, v); }
    public int minExtraIsize() { return u16(b, 0x15C); }
    public void setMinExtraIsize(int v) { put16(b, 0x15C, v); }
    public int wantExtraIsize() { return u16(b, 0x15E); }
    public void setWantExtraIsize(int v) { put16(b, 0x15E, v); }
    public long flags() { return u32(b, 0x160); }
    public void setFlags(long v) { put32(b, 0x160, v); }

    private String cString(int off, int max) {
        int n = 0;
        while (n < max && b[off + n] != 0) {
            n++;
        }
        return new String(b, off, n, StandardCharsets.UTF_8);
    }

    private void putCString(int off, int max, String s, String what) {
        byte[] raw = s.getBytes(StandardCharsets.UTF_8);
        if (raw.length > max) {
            throw new IllegalArgumentException(what + " longer than " + max + " bytes: " + s);
        }
        Arrays.fill(b, off, off + max, (byte) 0);
        System.arraycopy(raw, 0, b, off, raw.length);
    }
}
