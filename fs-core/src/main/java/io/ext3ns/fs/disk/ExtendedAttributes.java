package io.ext3ns.fs.disk;

import static io.ext3ns.fs.disk.LittleEndian.put16;
import static io.ext3ns.fs.disk.LittleEndian.put32;
import static io.ext3ns.fs.disk.LittleEndian.u16;
import static io.ext3ns.fs.disk.LittleEndian.u32;
import static io.ext3ns.fs.disk.LittleEndian.u8;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ext3's extended-attribute format (the ext_attr feature), as Linux fs/ext4/xattr.c and e2fsprogs
 * lib/ext2fs/ext_attr.c read and write it. Two places hold attributes:
 * <ul>
 * <li>in a large inode, after i_extra_isize: a 4-byte magic, then entries; value offsets count from the first
 * entry, and the region ends with the inode;</li>
 * <li>in one block (i_file_acl): a 32-byte header (magic, h_refcount, h_blocks = 1, h_hash), entries from byte 32
 * sorted by (index, name length, name), values packed down from the end; value offsets count from the block.</li>
 * </ul>
 * An entry is 16 bytes (e_name_len, e_name_index, e_value_offs, e_value_inum, e_value_size, e_hash) plus the name,
 * padded to 4; a zero word ends the list; values are padded to 4 with zeros. e_value_offs is 16 bits, so in blocks
 * larger than 64 KiB only the first 64 KiB can hold values ({@link #blockRegionEnd}).
 */
public final class ExtendedAttributes {
    public static final int MAGIC = 0xEA020000;
    public static final int BLOCK_HEADER = 32;
    private static final int ENTRY_HEADER = 16;
    private static final int NAME_HASH_SHIFT = 5;
    private static final int VALUE_HASH_SHIFT = 16;
    private static final int BLOCK_HASH_SHIFT = 16;

    private ExtendedAttributes() {
    }

    /** EXT4_XATTR_LEN: an entry record with its name, padded to 4. */
    public static int entryLen(int nameLen) {
        return (nameLen + ENTRY_HEADER + 3) & ~3;
    }

    /** EXT4_XATTR_SIZE: a value padded to 4. */
    public static int valueLen(int size) {
        return (size + 3) & ~3;
    }

    /** Where values may end in an attribute block of {@code blockSize} bytes (e_value_offs is 16 bits). */
    public static int blockRegionEnd(int blockSize) {
        return Math.min(blockSize, 1 << 16);
    }

    // ---- hashes ----

    /** ext4_xattr_hash_entry: over the name (bytes unsigned, as kernels since 6.2 and e2fsprogs 1.47) and the
     *  value's little-endian 32-bit words, the value zero-padded to a multiple of 4. */
    public static int entryHash(byte[] name, byte[] value) {
        return entryHash(name, value, false);
    }

    /** The hash older kernels computed with the name's bytes as signed chars (e2fsck accepts either). */
    public static int entryHashSigned(byte[] name, byte[] value) {
        return entryHash(name, value, true);
    }

    private static int entryHash(byte[] name, byte[] value, boolean signedChars) {
        int hash = 0;
        for (byte c : name) {
            hash = (hash << NAME_HASH_SHIFT) ^ (hash >>> (32 - NAME_HASH_SHIFT)) ^ (signedChars ? c : c & 0xFF);
        }
        byte[] padded = Arrays.copyOf(value, valueLen(value.length));
        for (int i = 0; i < padded.length; i += 4) {
            hash = (hash << VALUE_HASH_SHIFT) ^ (hash >>> (32 - VALUE_HASH_SHIFT)) ^ (int) u32(padded, i);
        }
        return hash;
    }

    /** ext4_xattr_rehash: the block's h_hash from its entries' hashes; 0 if any entry's hash is 0. */
    public static int blockHash(int[] entryHashes) {
        int hash = 0;
        for (int h : entryHashes) {
            if (h == 0) {
                return 0;
            }
            hash = (hash << BLOCK_HASH_SHIFT) ^ (hash >>> (32 - BLOCK_HASH_SHIFT)) ^ h;
        }
        return hash;
    }

    // ---- the block ----

    /** The header fields of an attribute block. */
    public record BlockHeader(int magic, long refcount, long blocks, int hash) {
    }

    public static BlockHeader header(byte[] block) {
        return new BlockHeader((int) u32(block, 0), u32(block, 4), u32(block, 8), (int) u32(block, 12));
    }

    /** Validates an attribute block's header (magic, h_blocks = 1) and decodes and validates its entries. */
    public static List<XattrEntry> decodeBlock(byte[] block, String what) throws CorruptFsException {
        BlockHeader h = header(block);
        if (h.magic() != MAGIC) {
            throw new CorruptFsException(what + ": bad magic 0x" + Integer.toHexString(h.magic()));
        }
        if (h.blocks() != 1) {
            throw new CorruptFsException(what + ": h_blocks is " + h.blocks() + ", not 1");
        }
        if (h.refcount() == 0) {
            throw new CorruptFsException(what + ": h_refcount is 0");
        }
        return decodeEntries(block, BLOCK_HEADER, block.length, 0, what);
    }

    /** Sets h_refcount in an attribute block's bytes. */
    public static void setRefcount(byte[] block, long refcount) {
        put32(block, 4, refcount);
    }

    /**
     * Encodes a whole attribute block: header (refcount given, h_blocks 1, h_hash), the entries sorted as ext3 sorts
     * them, values from the end of the value region down. Returns null when they do not fit.
     */
    public static byte[] encodeBlock(List<XattrEntry> entries, int blockSize, long refcount) {
        List<XattrEntry> sorted = new ArrayList<>(entries);
        sorted.sort(XattrEntry::compare);
        byte[] b = new byte[blockSize];
        int[] hashes = encodeEntries(sorted, b, BLOCK_HEADER, blockRegionEnd(blockSize), 0);
        if (hashes == null) {
            return null;
        }
        put32(b, 0, MAGIC & 0xFFFF_FFFFL);
        put32(b, 4, refcount);
        put32(b, 8, 1);
        put32(b, 12, blockHash(hashes) & 0xFFFF_FFFFL);
        return b;
    }

    /** True when the entries fit in an attribute block of this size. */
    public static boolean fitsBlock(List<XattrEntry> entries, int blockSize) {
        return fits(entries, blockRegionEnd(blockSize) - BLOCK_HEADER);
    }

    // ---- in the inode ----

    /**
     * The attributes in a large inode's bytes after i_extra_isize; none when the inode is small, has no room, or the
     * region does not start with the magic.
     */
    public static List<XattrEntry> decodeInInode(byte[] inode, int extraIsize, String what) throws CorruptFsException {
        int start = Inode.GOOD_OLD_SIZE + extraIsize;
        if (inode.length <= Inode.GOOD_OLD_SIZE || start + 8 > inode.length || (int) u32(inode, start) != MAGIC) {
            return List.of();
        }
        return decodeEntries(inode, start + 4, inode.length, start + 4, what);
    }

    /** Bytes the in-inode region offers to entries and values (0 when the inode has no room for any). */
    public static int inInodeCapacity(int inodeSize, int extraIsize) {
        int start = Inode.GOOD_OLD_SIZE + extraIsize;
        return inodeSize <= Inode.GOOD_OLD_SIZE || start + 8 > inodeSize ? 0 : inodeSize - start - 4;
    }

    /**
     * Writes the entries into an inode's region after i_extra_isize (magic first; an empty list clears the region).
     * Returns false, changing nothing, when they do not fit.
     */
    public static boolean encodeInInode(List<XattrEntry> entries, byte[] inode, int extraIsize) {
        int start = Inode.GOOD_OLD_SIZE + extraIsize;
        if (entries.isEmpty()) {
            if (inode.length > start) {
                Arrays.fill(inode, start, inode.length, (byte) 0);
            }
            return true;
        }
        if (!fits(entries, inInodeCapacity(inode.length, extraIsize))) {
            return false;
        }
        byte[] region = new byte[inode.length];
        if (encodeEntries(entries, region, start + 4, inode.length, start + 4) == null) {
            return false;
        }
        System.arraycopy(region, start, inode, start, inode.length - start);
        put32(inode, start, MAGIC & 0xFFFF_FFFFL);
        return true;
    }

    /** True when the entries fit in {@code capacity} bytes with the terminating zero word. */
    public static boolean fits(List<XattrEntry> entries, int capacity) {
        long need = 4;
        for (XattrEntry e : entries) {
            need += e.footprint();
        }
        return need <= capacity;
    }

    // ---- entries ----

    /**
     * Decodes entries at {@code first} up to the zero word; values lie in [end of entries, {@code end}) at offsets
     * counted from {@code base}. Every field is checked before use: the entry and its name inside the region, no
     * value inode (ea_inode is not supported), each value inside the region after the entry table, values not
     * overlapping each other.
     */
    static List<XattrEntry> decodeEntries(byte[] b, int first, int end, int base, String what)
            throws CorruptFsException {
        List<XattrEntry> out = new ArrayList<>();
        List<int[]> valueRanges = new ArrayList<>();
        int p = first;
        while (true) {
            if (p + 4 > end) {
                throw new CorruptFsException(what + ": attribute entries run past the end of their region");
            }
            if (u32(b, p) == 0) {
                break;
            }
            if (p + ENTRY_HEADER > end) {
                throw new CorruptFsException(what + ": attribute entry at " + p + " runs past its region");
            }
            int nameLen = u8(b, p);
            int index = u8(b, p + 1);
            int valueOffs = u16(b, p + 2);
            long valueInum = u32(b, p + 4);
            long valueSize = u32(b, p + 8);
            int hash = (int) u32(b, p + 12);
            int next = p + entryLen(nameLen);
            if (next + 4 > end) {
                throw new CorruptFsException(what + ": attribute entry at " + p + " (name of " + nameLen
                        + " bytes) runs past its region");
            }
            if (valueInum != 0) {
                throw new CorruptFsException(what + ": attribute entry at " + p + " keeps its value in inode "
                        + valueInum + " (ea_inode is not supported)");
            }
            if (valueSize > end - first) {
                throw new CorruptFsException(what + ": attribute value of " + valueSize + " bytes is larger than "
                        + "its region");
            }
            byte[] name = Arrays.copyOfRange(b, p + ENTRY_HEADER, p + ENTRY_HEADER + nameLen);
            byte[] value = new byte[(int) valueSize];
            if (valueSize > 0) {
                long from = (long) base + valueOffs;
                if (from + valueSize > end) {
                    throw new CorruptFsException(what + ": attribute value at offset " + valueOffs + " ("
                            + valueSize + " bytes) runs past its region");
                }
                valueRanges.add(new int[] {(int) from, (int) (from + valueLen((int) valueSize))});
                System.arraycopy(b, (int) from, value, 0, (int) valueSize);
            }
            out.add(new XattrEntry(index, name, value, hash));
            p = next;
        }
        int tableEnd = p + 4;
        valueRanges.sort((x, y) -> Integer.compare(x[0], y[0]));
        int previousEnd = tableEnd;
        for (int[] r : valueRanges) {
            if (r[0] < previousEnd) {
                throw new CorruptFsException(what + ": attribute value at " + r[0]
                        + " overlaps the entry table or another value");
            }
            previousEnd = Math.min(r[1], end);
        }
        return out;
    }

    /**
     * Writes entries from {@code first} (in the order given) and their values down from {@code end}, offsets
     * counted from {@code base}. Returns each entry's hash, or null when they do not fit.
     */
    private static int[] encodeEntries(List<XattrEntry> entries, byte[] b, int first, int end, int base) {
        if (!fits(entries, end - first)) {
            return null;
        }
        int[] hashes = new int[entries.size()];
        int p = first;
        int valueEnd = end;
        for (int i = 0; i < entries.size(); i++) {
            XattrEntry e = entries.get(i);
            int size = e.value().length;
            int at = valueEnd - valueLen(size);
            if (size > 0) {
                System.arraycopy(e.value(), 0, b, at, size);
                valueEnd = at;
            }
            int hash = entryHash(e.name(), e.value());
            hashes[i] = hash;
            b[p] = (byte) e.name().length;
            b[p + 1] = (byte) e.index();
            put16(b, p + 2, size > 0 ? at - base : 0); // an empty value has no place
            put32(b, p + 4, 0);
            put32(b, p + 8, size);
            put32(b, p + 12, hash & 0xFFFF_FFFFL);
            System.arraycopy(e.name(), 0, b, p + ENTRY_HEADER, e.name().length);
            p += entryLen(e.name().length);
        }
        return hashes;
    }
}
