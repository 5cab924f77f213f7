package io.ext3ns.sda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The label at byte 0 of every array member: which array it belongs to, where it sits in it and the array's
 * geometry. One 4096-byte little-endian record; the member's data region starts at {@link #dataOffset}.
 *
 * <pre>
 *   0  magic "EXT3NSDA"      8  version u32      12 layout u32 (1 split, 2 raid0)
 *  16  array UUID (16)      32  member index u32 36 member count u32
 *  40  block size u32       44  part size u32    48 data offset u64   56 member data size u64
 *  64  created (epoch s) u64                     4092 CRC32C of bytes 0..4091
 * </pre>
 */
public record MemberLabel(UUID arrayId, int memberIndex, int memberCount, ArrayLayout layout, int blockSize,
                          int partSize, long dataOffset, long memberDataSize, long createdEpochSecond) {
    /** Bytes the label occupies; also the O_DIRECT unit it is read with. */
    public static final int SIZE = 4096;
    /** Where member data starts: 1 MiB keeps parts aligned to large device stripes and erase blocks. */
    public static final long DATA_OFFSET = 1 << 20;
    static final int VERSION = 1;
    private static final byte[] MAGIC = "EXT3NSDA".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECKSUM_AT = SIZE - 4;
    /** Largest data offset a label may claim: keeps a corrupt value from pointing past any real device. */
    private static final long MAX_DATA_OFFSET = 1L << 30;
    /** Largest member data size a label may claim (64 PiB): keeps size arithmetic far from overflow. */
    private static final long MAX_MEMBER_DATA = 1L << 56;

    /** The geometry this label describes. */
    ArrayGeometry geometry() {
        return new ArrayGeometry(layout, memberCount, blockSize, partSize, dataOffset, memberDataSize);
    }

    /** True when {@code raw} (at least 8 bytes from its position) starts with the label magic. */
    static boolean hasMagic(ByteBuffer raw) {
        if (raw.remaining() < MAGIC.length) {
            return false;
        }
        byte[] head = new byte[MAGIC.length];
        raw.duplicate().get(head);
        return Arrays.equals(head, MAGIC);
    }

    /** The label as an aligned 4096-byte buffer ready for an O_DIRECT write. */
    ByteBuffer encode() {
        ByteBuffer b = AlignedBuffers.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(layout.code)
                .putLong(arrayId.getMostSignificantBits()).putLong(arrayId.getLeastSignificantBits())
                .putInt(memberIndex).putInt(memberCount).putInt(blockSize).putInt(partSize)
                .putLong(dataOffset).putLong(memberDataSize).putLong(createdEpochSecond);
        b.putInt(CHECKSUM_AT, checksum(b));
        return b.clear();
    }

    /**
     * Reads and validates a label from the first {@link #SIZE} bytes of {@code raw}; {@code member} names it in
     * messages. Every field is checked before anything uses it.
     */
    static MemberLabel decode(ByteBuffer raw, String member) throws ArrayAssemblyException {
        if (raw.remaining() < SIZE || !hasMagic(raw)) {
            throw new ArrayAssemblyException(member, "carries no EXT3NS array label");
        }
        ByteBuffer l = raw.slice(raw.position(), SIZE).order(ByteOrder.LITTLE_ENDIAN);
        if (l.getInt(CHECKSUM_AT) != checksum(l)) {
            throw new ArrayAssemblyException(member, "has a damaged array label (checksum mismatch)");
        }
        int version = l.getInt(8);
        if (version != VERSION) {
            throw new ArrayAssemblyException(member, "has an array label of unknown version " + version);
        }
        ArrayLayout layout = ArrayLayout.fromCode(l.getInt(12));
        if (layout == null) {
            throw new ArrayAssemblyException(member, "has an array label with unknown layout " + l.getInt(12));
        }
        UUID id = new UUID(l.getLong(16), l.getLong(24));
        int index = l.getInt(32);
        int count = l.getInt(36);
        int blockSize = l.getInt(40);
        int partSize = l.getInt(44);
        long dataOffset = l.getLong(48);
        long dataSize = l.getLong(56);
        int expectedPart;
        try {
            expectedPart = new ArraySpec(layout, blockSize).partSize(count);
        } catch (IllegalArgumentException e) {
            throw new ArrayAssemblyException(member, "has an array label with impossible geometry: " + e.getMessage());
        }
        if (index < 0 || index >= count) {
            throw new ArrayAssemblyException(member, "has an array label with member index " + index
                    + " outside 0.." + (count - 1));
        }
        if (partSize != expectedPart) {
            throw new ArrayAssemblyException(member, "has an array label whose part size " + partSize
                    + " does not match " + layout + " with " + count + " members of " + blockSize + "-byte blocks");
        }
        if (dataOffset < SIZE || dataOffset > MAX_DATA_OFFSET || dataOffset % AlignedBuffers.PAGE != 0) {
            throw new ArrayAssemblyException(member, "has an array label with bad data offset " + dataOffset);
        }
        if (dataSize <= 0 || dataSize > MAX_MEMBER_DATA || dataSize % partSize != 0) {
            throw new ArrayAssemblyException(member, "has an array label with bad member data size " + dataSize);
        }
        return new MemberLabel(id, index, count, layout, blockSize, partSize, dataOffset, dataSize, l.getLong(64));
    }

    /** True when {@code other} describes the same array geometry (everything but the member index). */
    boolean sameArrayAs(MemberLabel other) {
        return arrayId.equals(other.arrayId) && memberCount == other.memberCount && layout == other.layout
                && blockSize == other.blockSize && partSize == other.partSize && dataOffset == other.dataOffset
                && memberDataSize == other.memberDataSize;
    }

    private static int checksum(ByteBuffer label) {
        CRC32C crc = new CRC32C();
        crc.update(label.duplicate().clear().limit(CHECKSUM_AT));
        return (int) crc.getValue();
    }
}
