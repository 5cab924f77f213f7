package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.BlockMapWalker;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import java.io.IOException;
import java.util.Arrays;

/**
 * Where each journal block lives: the journal inode's logical blocks mapped to file-system blocks through its
 * indirect tree (one journal block = one FS block). Built once at open and validated completely: the inode must be
 * a regular file of n whole blocks, n at least JBD2's minimum, every block mapped, inside the volume and distinct.
 */
public final class JournalBlockMap {
    private final long[] fsBlocks;
    private final long[] sorted;

    private JournalBlockMap(long[] fsBlocks) {
        this.fsBlocks = fsBlocks;
        this.sorted = fsBlocks.clone();
        Arrays.sort(sorted);
    }

    /** A map over an explicit block list (mkfs, which lays out the journal before writing its inode). */
    public static JournalBlockMap of(long[] fsBlocks) {
        return new JournalBlockMap(fsBlocks.clone());
    }

    static JournalBlockMap read(DeviceBlocks io, Superblock sb) throws IOException {
        Geometry geo = new Geometry(sb);
        long ino = sb.journalInum();
        if (!geo.isValidInode(ino) || ino >= sb.firstIno()) {
            throw new CorruptFsException("superblock: journal inode " + ino + " is not a reserved inode");
        }
        return read(io, sb, readInode(io, geo, ino));
    }

    /** As {@link #read(DeviceBlocks, Superblock)} with the journal inode already read (fsck, from a backup's view). */
    static JournalBlockMap read(DeviceBlocks io, Superblock sb, Inode inode) throws IOException {
        Geometry geo = new Geometry(sb);
        long ino = sb.journalInum();
        String what = "journal inode " + ino + ": ";
        if (!inode.isRegular() || inode.linksCount() == 0) {
            throw new CorruptFsException(what + String.format("mode 0%o, %d links: not a live regular file",
                    inode.mode(), inode.linksCount()));
        }
        if ((inode.flags() & Inode.FL_EXTENTS) != 0) {
            throw new CorruptFsException(what + "uses extents (ext4), not an ext3 block map");
        }
        long bs = geo.blockSize();
        long size = inode.size();
        if (size % bs != 0) {
            throw new CorruptFsException(what + "size " + size + " is not a whole number of " + bs + "-byte blocks");
        }
        long count = size / bs;
        long min = JournalSize.minBlocks(geo.blockSize());
        if (count < min || count > geo.blocksCount() || count > Integer.MAX_VALUE - 8) {
            throw new CorruptFsException(what + count + " blocks, outside [" + min + ", "
                    + geo.blocksCount() + "]");
        }
        long[] map = mapFirst(io, geo, inode, (int) count, what);
        JournalBlockMap result = new JournalBlockMap(map);
        for (int i = 1; i < result.sorted.length; i++) {
            if (result.sorted[i] == result.sorted[i - 1]) {
                throw new CorruptFsException(what + "block " + result.sorted[i] + " is mapped twice");
            }
        }
        return result;
    }

    /**
     * Journal blocks 0..count-1 through the shared walker (each indirect block read once, nothing beyond count
     * read): every one must be mapped, inside the volume.
     */
    private static long[] mapFirst(DeviceBlocks io, Geometry geo, Inode inode, int count, String what)
            throws IOException {
        long[] map = new BlockMapWalker(geo, io::read).mapFirst(inode, count, (kind, physical, level, first) -> {
            String role = level == 0 ? "journal block " + first
                    : "indirect block on the path to journal block " + first;
            return new CorruptFsException(what + role + (kind == BlockMapWalker.Bad.OUT_OF_RANGE
                    ? " maps to block " + physical + ", outside the volume"
                    : " is block " + physical + ", already used higher in the map (a loop)"));
        });
        for (int n = 0; n < count; n++) {
            if (map[n] == 0) {
                throw new CorruptFsException(what + "journal block " + n + " is a hole (unmapped, or an indirect block"
                        + " on its path is; a journal must be fully mapped)");
            }
        }
        return map;
    }

    private static Inode readInode(DeviceBlocks io, Geometry geo, long ino) throws IOException {
        long group = geo.groupOfInode(ino);
        long gdOffset = group * GroupDescriptor.SIZE;
        long gdBlock = geo.gdtFirstBlock(0) + gdOffset / geo.blockSize();
        GroupDescriptor gd = GroupDescriptor.decode(io.read(gdBlock), (int) (gdOffset % geo.blockSize()), group, geo);
        long byteInTable = geo.indexInGroup(ino) * geo.inodeSize();
        byte[] table = io.read(gd.inodeTable() + byteInTable / geo.blockSize());
        return Inode.decode(table, (int) (byteInTable % geo.blockSize()), geo.inodeSize());
    }

    public long length() {
        return fsBlocks.length;
    }

    /** The FS block holding journal block {@code logical}. */
    public long fsBlock(long logical) {
        if (logical < 0 || logical >= fsBlocks.length) {
            throw new IllegalArgumentException("journal block " + logical + " outside 0.." + (fsBlocks.length - 1));
        }
        return fsBlocks[(int) logical];
    }

    /** True when {@code fsBlock} belongs to the journal (a replay must never write there). */
    public boolean contains(long fsBlock) {
        return Arrays.binarySearch(sorted, fsBlock) >= 0;
    }
}
