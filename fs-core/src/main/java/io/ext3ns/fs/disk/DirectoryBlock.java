package io.ext3ns.fs.disk;

import static io.ext3ns.fs.disk.LittleEndian.put16;
import static io.ext3ns.fs.disk.LittleEndian.put32;
import static io.ext3ns.fs.disk.LittleEndian.u16;
import static io.ext3ns.fs.disk.LittleEndian.u32;

import io.ext3ns.fs.util.FileNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One directory block of ext2 entries: {@code inode u32 | rec_len u16 | name_len u8 | file_type u8 | name}.
 *
 * <p>rec_len encoding follows ext4's up to 64 KiB blocks (a stored 0 or 0xFFFF means "the whole 64 KiB block").
 * Above 64 KiB no entry is ever longer than {@link #MAX_STORED_REC_LEN}: the rest of a block is covered by chained
 * empty (inode 0) entries, which every decoder — ours, e2fsprogs', the kernel's — reads literally.
 */
public final class DirectoryBlock {
    public static final int HEADER = 8;
    public static final int MIN_REC_LEN = 12;
    public static final int MAX_NAME_LEN = 255;
    /** Largest rec_len we store in a block above 64 KiB (the largest multiple of 4 below 65536). */
    public static final int MAX_STORED_REC_LEN = 65532;

    /** One decoded entry; {@code offset} is its byte position inside the block. */
    public record Entry(int offset, long inode, int recLen, int nameLen, int fileType, byte[] name) {
        /** The name as a String ({@link FileNames}: lossless for any bytes). */
        public String nameString() {
            return FileNames.decode(name);
        }

        /** The name for messages: bytes that are not UTF-8 shown as \xNN. */
        public String printableName() {
            return FileNames.printable(name);
        }

        public boolean isDotOrDotDot() {
            return (nameLen == 1 && name[0] == '.') || (nameLen == 2 && name[0] == '.' && name[1] == '.');
        }
    }

    private final byte[] block;
    private final int blockSize;

    public DirectoryBlock(byte[] block) {
        this.block = block;
        this.blockSize = block.length;
    }

    public byte[] bytes() {
        return block;
    }

    /** Bytes an entry with this name length needs: header + name, rounded up to 4. */
    public static int entrySize(int nameLen) {
        return (HEADER + nameLen + 3) & ~3;
    }

    /** The longest rec_len a writer may store in a block of this size. */
    public static int maxRecLen(int blockSize) {
        return blockSize <= 65536 ? blockSize : MAX_STORED_REC_LEN;
    }

    /** ext4_rec_len_from_disk. */
    public static int recLenFromDisk(int raw, int blockSize) {
        if (blockSize < 65536) {
            return raw;
        }
        if (raw == 0xFFFF || raw == 0) {
            return blockSize;
        }
        return (raw & 0xFFFC) | ((raw & 3) << 16);
    }

    /** ext4_rec_len_to_disk, for lengths a writer is allowed to store. */
    public static int recLenToDisk(int len, int blockSize) {
        if (len > maxRecLen(blockSize) || len < MIN_REC_LEN || len % 4 != 0) {
            throw new IllegalArgumentException("rec_len " + len + " not storable in a " + blockSize + "-byte block");
        }
        if (blockSize < 65536) {
            return len;
        }
        return len == 65536 ? 0xFFFF : len;
    }

    /**
     * Decodes and validates every entry. {@code where} names the directory and block in messages.
     * Entries must be 4-aligned, at least 12 and large enough for their name, never cross the block end, and the
     * last must end exactly at it.
     */
    public List<Entry> entries(String where) throws CorruptFsException {
        return entries(where, true);
    }

    /**
     * As {@link #entries(String)}; with {@code checkNames} false a name holding NUL or '/' is returned as it is,
     * for fsck, which renames such entries (as e2fsck) instead of giving up on the block.
     */
    public List<Entry> entries(String where, boolean checkNames) throws CorruptFsException {
        List<Entry> out = new ArrayList<>();
        for (int pos = 0; pos < blockSize; ) {
            int recLen = checkedRecLen(pos, where);
            Entry e = entryAt(pos, recLen);
            for (byte c : e.name()) {
                if (checkNames && (c == 0 || c == '/')) {
                    throw new CorruptFsException(where + ": illegal character in name at offset " + pos);
                }
            }
            out.add(e);
            pos += recLen;
        }
        return out;
    }

    /**
     * The rec_len of the entry at {@code pos}, after checking the entry's frame (what a walk along the chain must
     * trust): at least 12 and 4-aligned, inside the block, and a live entry's name fits. Names are checked by
     * {@link #entries}; the walks that change or search a block ({@link #place}, {@link #find}, {@link #remove}) need
     * only the frame and allocate nothing, so a change to a 10,000-entry block does not decode 10,000 entries.
     */
    private int checkedRecLen(int pos, String where) throws CorruptFsException {
        if (blockSize - pos < MIN_REC_LEN) {
            throw new CorruptFsException(where + ": " + (blockSize - pos) + " stray bytes at offset " + pos);
        }
        int recLen = recLenFromDisk(u16(block, pos + 4), blockSize);
        if (recLen < MIN_REC_LEN || recLen % 4 != 0 || pos + recLen > blockSize) {
            throw new CorruptFsException(where + ": bad rec_len " + recLen + " at offset " + pos);
        }
        int nameLen = block[pos + 6] & 0xFF;
        if (u32(block, pos) != 0 && (nameLen == 0 || entrySize(nameLen) > recLen)) {
            throw new CorruptFsException(where + ": name_len " + nameLen + " does not fit rec_len " + recLen
                    + " at offset " + pos);
        }
        return recLen;
    }

    /** The entry at {@code pos} whose frame was checked. */
    private Entry entryAt(int pos, int recLen) {
        long ino = u32(block, pos);
        int nameLen = ino == 0 ? 0 : block[pos + 6] & 0xFF;
        byte[] name = Arrays.copyOfRange(block, pos + HEADER, pos + HEADER + nameLen);
        return new Entry(pos, ino, recLen, nameLen, block[pos + 7] & 0xFF, name);
    }

    /** Formats the whole block as empty (inode 0) entries. */
    public void initEmpty() {
        Arrays.fill(block, (byte) 0);
        writeEmptyChain(0, blockSize);
    }

    /** Formats the first block of a new directory: "." (12 bytes), ".." and the rest. */
    public void initDirectory(long selfIno, long parentIno) {
        Arrays.fill(block, (byte) 0);
        writeEntry(0, selfIno, MIN_REC_LEN, new byte[] {'.'}, DirEntryType.DIR);
        placeEntry(MIN_REC_LEN, blockSize - MIN_REC_LEN, parentIno, new byte[] {'.', '.'}, DirEntryType.DIR);
    }

    /** The live entry with this name, or null. */
    public Entry find(byte[] name, String where) throws CorruptFsException {
        for (int pos = 0; pos < blockSize; ) {
            int recLen = checkedRecLen(pos, where);
            if (u32(block, pos) != 0 && (block[pos + 6] & 0xFF) == name.length
                    && Arrays.equals(block, pos + HEADER, pos + HEADER + name.length, name, 0, name.length)) {
                return entryAt(pos, recLen);
            }
            pos += recLen;
        }
        return null;
    }

    /**
     * Adds an entry where it fits (an empty entry large enough, or the slack after a live one), as ext2_add_link.
     * Returns false when the block has no room.
     */
    public boolean insert(byte[] name, long ino, int fileType, String where) throws CorruptFsException {
        return place(name, ino, fileType, 0, where) >= 0;
    }

    /**
     * As {@link #insert}, looking for room from {@code from} on (an entry boundary the caller knows, 0 for the
     * whole block); returns the new entry's offset, or -1 when there is no room there.
     */
    public int place(byte[] name, long ino, int fileType, int from, String where) throws CorruptFsException {
        if (from < 0 || from >= blockSize || from % 4 != 0) {
            throw new IllegalArgumentException(where + ": no entry can start at offset " + from);
        }
        int need = entrySize(name.length);
        for (int pos = from; pos < blockSize; ) {
            int recLen = checkedRecLen(pos, where);
            boolean live = u32(block, pos) != 0;
            if (!live && recLen >= need) {
                placeEntry(pos, recLen, ino, name, fileType);
                return pos;
            }
            int used = entrySize(block[pos + 6] & 0xFF);
            if (live && recLen - used >= need) {
                setRecLen(pos, used);
                placeEntry(pos + used, recLen - used, ino, name, fileType);
                return pos + used;
            }
            pos += recLen;
        }
        return -1;
    }

    /**
     * Removes the live entry at {@code offset} (from {@link #entries}): merged into its predecessor when that keeps
     * rec_len storable, otherwise marked empty (inode 0) in place, as ext2_delete_entry.
     */
    public void remove(int offset, String where) throws CorruptFsException {
        int prev = -1;
        int prevRecLen = 0;
        for (int pos = 0; pos < blockSize; ) {
            int recLen = checkedRecLen(pos, where);
            if (pos == offset) {
                if (prev >= 0 && prevRecLen + recLen <= maxRecLen(blockSize)) {
                    setRecLen(prev, prevRecLen + recLen);
                    Arrays.fill(block, offset, offset + HEADER, (byte) 0);
                } else {
                    put32(block, offset, 0);
                }
                return;
            }
            prev = pos;
            prevRecLen = recLen;
            pos += recLen;
        }
        throw new CorruptFsException(where + ": no entry at offset " + offset);
    }

    /**
     * fsck's salvage of a block whose entry chain breaks: the entries before the first bad frame are kept, the bad
     * one and everything after it become empty entries (their inodes turn up unattached, and fsck reconnects them).
     * Returns the offset of the first bad frame, or -1 when the chain is sound and nothing was changed.
     */
    public int truncateAtFirstBadEntry() {
        int prev = -1;
        int pos = 0;
        while (pos < blockSize) {
            try {
                int recLen = checkedRecLen(pos, "");
                prev = pos;
                pos += recLen;
            } catch (CorruptFsException e) {
                break;
            }
        }
        if (pos >= blockSize) {
            return -1;
        }
        if (prev < 0) {
            initEmpty();
            return pos;
        }
        int keep = chunk(blockSize - prev);
        setRecLen(prev, keep);
        Arrays.fill(block, prev + keep, blockSize, (byte) 0);
        writeEmptyChain(prev + keep, blockSize - prev - keep);
        return pos;
    }

    /** Points the live entry at {@code offset} to another inode and type (rename over, '..' updates). */
    public void retarget(int offset, long ino, int fileType) {
        put32(block, offset, ino);
        block[offset + 7] = (byte) fileType;
    }

    /** True when the block holds no live entries other than "." and "..". */
    public boolean hasOnlyDots(String where) throws CorruptFsException {
        for (Entry e : entries(where)) {
            if (e.inode() != 0 && !e.isDotOrDotDot()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes a live entry into the span [offset, offset+span): the entry takes as much of the span as is storable and
     * the remainder becomes chained empty entries.
     */
    private void placeEntry(int offset, int span, long ino, byte[] name, int fileType) {
        int recLen = chunk(span);
        writeEntry(offset, ino, recLen, name, fileType);
        writeEmptyChain(offset + recLen, span - recLen);
    }

    private void writeEmptyChain(int offset, int span) {
        int pos = offset;
        int left = span;
        while (left > 0) {
            int len = chunk(left);
            Arrays.fill(block, pos, pos + HEADER, (byte) 0);
            put16(block, pos + 4, recLenToDisk(len, blockSize));
            pos += len;
            left -= len;
        }
    }

    /** The longest storable piece of a span that leaves either nothing or a valid (≥ 12 byte) remainder. */
    private int chunk(int span) {
        int len = Math.min(span, maxRecLen(blockSize));
        int rest = span - len;
        if (rest > 0 && rest < MIN_REC_LEN) {
            len -= MIN_REC_LEN;
        }
        return len;
    }

    private void writeEntry(int offset, long ino, int recLen, byte[] name, int fileType) {
        if (name.length == 0 || name.length > MAX_NAME_LEN) {
            throw new IllegalArgumentException("name length " + name.length);
        }
        put32(block, offset, ino);
        put16(block, offset + 4, recLenToDisk(recLen, blockSize));
        block[offset + 6] = (byte) name.length;
        block[offset + 7] = (byte) fileType;
        System.arraycopy(name, 0, block, offset + HEADER, name.length);
        Arrays.fill(block, offset + HEADER + name.length, offset + entrySize(name.length), (byte) 0);
    }

    private void setRecLen(int offset, int recLen) {
        put16(block, offset + 4, recLenToDisk(recLen, blockSize));
    }
}
