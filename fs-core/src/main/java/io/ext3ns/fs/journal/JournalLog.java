package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Superblock;
import java.io.IOException;

/**
 * The journal's storage: the journal superblock in journal block 0 and the circular log in blocks
 * [first, maxLen), read and written by journal block number through the journal inode's block map.
 */
final class JournalLog {
    private final DeviceBlocks io;
    private final JournalBlockMap map;
    private final Geometry geo;
    private final byte[] block0;
    private final JournalSuperblock jsb;

    private JournalLog(DeviceBlocks io, JournalBlockMap map, Geometry geo, byte[] block0, JournalSuperblock jsb) {
        this.io = io;
        this.map = map;
        this.geo = geo;
        this.block0 = block0;
        this.jsb = jsb;
    }

    /** Opens the journal of the file system {@code sb} describes; validates the inode map and the journal superblock. */
    static JournalLog open(DeviceBlocks io, Superblock sb) throws IOException {
        if (sb.blockSize() != io.blockSize()) {
            throw new IllegalArgumentException("block size mismatch");
        }
        return open(io, sb, JournalBlockMap.read(io, sb));
    }

    /** Opens the journal whose inode map is {@code map}. */
    static JournalLog open(DeviceBlocks io, Superblock sb, JournalBlockMap map) throws IOException {
        byte[] block0 = io.read(map.fsBlock(0));
        JournalSuperblock jsb = JournalSuperblock.decode(block0, sb.blockSize(), map.length());
        return new JournalLog(io, map, new Geometry(sb), block0, jsb);
    }

    JournalSuperblock superblock() {
        return jsb;
    }

    /** The file-system block holding journal block 0 (the journal superblock). */
    long fsBlockOfSuperblock() {
        return map.fsBlock(0);
    }

    DeviceBlocks io() {
        return io;
    }

    long first() {
        return jsb.first();
    }

    long maxLen() {
        return jsb.maxLen();
    }

    /** Blocks in the circular log. */
    long capacity() {
        return jsb.maxLen() - jsb.first();
    }

    /** The log block after {@code pos}, wrapping from the end back to {@code first}. */
    long next(long pos) {
        return advance(pos, 1);
    }

    long advance(long pos, long n) {
        long p = pos - jsb.first() + n % capacity();
        return jsb.first() + p % capacity();
    }

    /** Log blocks from {@code from} up to (not including) {@code to}, going forward around the circle. */
    long distance(long from, long to) {
        return Math.floorMod(to - from, capacity());
    }

    byte[] read(long pos) throws IOException {
        return io.read(map.fsBlock(pos));
    }

    void write(long pos, byte[] content) throws IOException {
        io.write(map.fsBlock(pos), content);
    }

    /** Writes the journal superblock's current fields into journal block 0 (not flushed). */
    void writeSuperblock() throws IOException {
        System.arraycopy(jsb.bytes(), 0, block0, 0, JournalSuperblock.SIZE);
        io.write(map.fsBlock(0), block0);
    }

    /** Refuses a home block a log record names when it is outside the volume or part of the journal itself. */
    void checkHomeBlock(long fsBlock) throws CorruptFsException {
        if (!geo.isDataBlockInRange(fsBlock)) {
            throw new CorruptFsException("journal record names block " + fsBlock + ", outside the volume");
        }
        if (map.contains(fsBlock)) {
            throw new CorruptFsException("journal record names block " + fsBlock + ", which belongs to the journal");
        }
    }
}
