package io.ext3ns.fs.format;

import io.ext3ns.fs.disk.Bitmap;
import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.DirEntryType;
import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.journal.JournalCreator;
import io.ext3ns.fs.journal.JournalSize;
import io.ext3ns.fs.util.Progress;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes an empty EXT3NS (ext3 layout) file system on a device: what mke2fs -t ext3 -O ^resize_inode,^dir_index,
 * ^ext_attr writes (with the JBD2 journal when the spec asks for one), at any block size from 1 KiB to 2 MiB. Every write is whole blocks at
 * block-aligned offsets, so it works on any device whose alignment divides the block size (an SDA array included).
 *
 * <p>Order: the old primary superblock is wiped first and the new one written last, after a flush, so an interrupted
 * format never leaves a volume that looks valid.
 */
public final class VolumeFormatter {
    public static final long ROOT_INO = 2;
    public static final long LOST_AND_FOUND_INO = 11;
    static final int ROOT_MODE = Inode.S_IFDIR | 0755;
    static final int LOST_AND_FOUND_MODE = Inode.S_IFDIR | 0700;
    /** The one progress stage of a format: its time goes into zeroing inode tables and writing bitmaps. */
    static final String STAGE_TITLE = "Writing inode tables and bitmaps";

    private final DeviceBlocks blocks;
    private final FormatSpec spec;
    private final Progress progress;
    private final int bs;
    private VolumeLayout layout;
    private Geometry geo;
    private FormatAllocator alloc;
    /** Group 0 inode-table blocks holding the inodes mkfs creates, written over the zeroed table. */
    private final Map<Long, byte[]> inodeBlocks = new LinkedHashMap<>();

    private VolumeFormatter(BlockDevice device, FormatSpec spec, Progress progress) throws FormatException {
        if (device.readOnly()) {
            throw new FormatException(device.name() + ": opened read-only");
        }
        if (spec.blockSize() % device.alignment() != 0) {
            throw new FormatException(device.name() + ": the device needs " + device.alignment()
                    + "-byte aligned I/O, which a " + spec.blockSize() + "-byte block does not satisfy");
        }
        this.blocks = new DeviceBlocks(device, spec.blockSize());
        this.spec = spec;
        this.progress = progress;
        this.bs = spec.blockSize();
    }

    /** Formats {@code device} as {@code spec} says and returns the superblock written. */
    public static Superblock format(BlockDevice device, FormatSpec spec) throws IOException, FormatException {
        return format(device, spec, Progress.NONE);
    }

    /** As {@link #format(BlockDevice, FormatSpec)}, reporting the groups written as one stage to {@code progress}. */
    public static Superblock format(BlockDevice device, FormatSpec spec, Progress progress)
            throws IOException, FormatException {
        return new VolumeFormatter(device, spec, progress).run();
    }

    /** Computes the layout {@code spec} gives on a device of this size without writing anything (mkfs -n). */
    public static VolumeLayout plan(FormatSpec spec, long deviceBytes) throws FormatException {
        return VolumeLayout.plan(spec, deviceBytes / spec.blockSize(), 1 + lostAndFoundBlocks(spec.blockSize()));
    }

    /**
     * lost+found's size as mke2fs makes it (at least 16 KiB and 2 blocks, at most 12 blocks); above 64 KiB one block,
     * since a single 128 KiB+ block already holds thousands of entries.
     */
    static int lostAndFoundBlocks(int blockSize) {
        if (blockSize > 65536) {
            return 1;
        }
        return (int) Math.min(Inode.NDIR_BLOCKS, Math.max(2, VolumeLayout.ceilDiv(16384, blockSize)));
    }

    private Superblock run() throws IOException, FormatException {
        layout = plan(spec, blocks.deviceBlocks() * (long) bs);
        geo = layout.geometry();
        alloc = new FormatAllocator(layout);

        FormatAllocator.Run rootRun = alloc.allocate(1);
        FormatAllocator.Run lpfRun = alloc.allocate(lostAndFoundBlocks(bs));
        JournalCreator journal = planJournal(); // before the bitmaps are built from the allocator's runs

        wipeOldSuperblock();
        GroupDescriptor[] gds = new GroupDescriptor[Math.toIntExact(layout.groupCount())];
        progress.stage(STAGE_TITLE, Progress.Unit.GROUPS, gds.length);
        for (int g = 0; g < gds.length; g++) {
            if (!spec.deviceReadsZero()) {
                blocks.zero(layout.inodeTable(g), geo.inodeTableBlocks());
            }
            gds[g] = writeBitmaps(g);
            progress.update(g + 1);
        }
        gds[0].setUsedDirs(2);

        writeRootDirectory(rootRun);
        writeLostAndFound(lpfRun);
        if (journal != null) {
            journal.write(blocks, spec.uuid(), !spec.deviceReadsZero());
            putInode(JournalCreator.JOURNAL_INO, journal.inode(spec.inodeSize(), spec.createdEpochSeconds()));
        }
        for (Map.Entry<Long, byte[]> e : inodeBlocks.entrySet()) {
            blocks.write(e.getKey(), e.getValue());
        }

        Superblock sb = buildSuperblock(gds);
        if (journal != null) {
            journal.applyTo(sb);
        }
        writeBackups(sb, gds);
        blocks.flush();
        writeSuperblockCopy(sb, 0);
        blocks.flush();
        return sb;
    }

    /**
     * The journal's blocks from the allocator, or null when the spec (or its default) has none: from the first free
     * block on, spanning groups when it does not fit in one, as mke2fs places it.
     */
    private JournalCreator planJournal() throws FormatException {
        long n = JournalSize.resolve(spec.journalBlocks(), bs, geo.blocksCount());
        if (n == 0) {
            return null;
        }
        String problem = JournalSize.problem(n, bs, geo.blocksCount());
        if (problem != null) {
            throw new FormatException(problem);
        }
        long length = JournalCreator.runLength(bs, n);
        try {
            List<long[]> extents = new ArrayList<>();
            for (FormatAllocator.Run r : alloc.allocateSpanning(length)) {
                extents.add(new long[] {r.start(), r.count()});
            }
            return new JournalCreator(bs, n, extents);
        } catch (FormatException e) {
            throw new FormatException("the volume has no " + length + " free blocks for a journal of " + n
                    + " blocks; use a smaller journal size or format without a journal");
        }
    }

    /** Zeroes the block holding byte 1024, so a half-written volume is never mistaken for the old file system. */
    private void wipeOldSuperblock() throws IOException {
        blocks.zero(Superblock.OFFSET / bs, 1);
    }

    /** Writes the group's two bitmaps (adjacent blocks) and returns its descriptor with free counts. */
    private GroupDescriptor writeBitmaps(long g) throws IOException {
        long first = geo.groupFirstBlock(g);
        int size = (int) geo.groupBlockCount(g);
        byte[] both = new byte[2 * bs];
        Bitmap blockBits = new Bitmap(new byte[bs]);
        int meta = (int) layout.overhead(g);
        for (int i = 0; i < meta; i++) {
            blockBits.set(i);
        }
        for (FormatAllocator.Run r : alloc.runs()) {
            for (long b = Math.max(r.start(), first); b < Math.min(r.end(), first + size); b++) {
                blockBits.set((int) (b - first));
            }
        }
        blockBits.setPadding(size);

        Bitmap inodeBits = new Bitmap(new byte[bs]);
        int ipg = (int) layout.inodesPerGroup();
        int usedInodes = g == 0 ? VolumeLayout.FIRST_INO : 0; // inodes 1..10 reserved, 11 lost+found
        for (int i = 0; i < usedInodes; i++) {
            inodeBits.set(i);
        }
        inodeBits.setPadding(ipg);

        System.arraycopy(blockBits.bytes(), 0, both, 0, bs);
        System.arraycopy(inodeBits.bytes(), 0, both, bs, bs);
        blocks.write(layout.blockBitmap(g), both);

        GroupDescriptor gd = layout.descriptor(g);
        gd.setFreeBlocks(Math.toIntExact(size - meta - alloc.allocatedIn(first, first + size)));
        gd.setFreeInodes(ipg - usedInodes);
        return gd;
    }

    private void writeRootDirectory(FormatAllocator.Run run) throws IOException {
        DirectoryBlock dir = new DirectoryBlock(new byte[bs]);
        dir.initDirectory(ROOT_INO, ROOT_INO);
        try {
            if (!dir.insert("lost+found".getBytes(StandardCharsets.US_ASCII), LOST_AND_FOUND_INO, DirEntryType.DIR,
                    "root directory")) {
                throw new IllegalStateException("a fresh directory block has no room for lost+found");
            }
        } catch (io.ext3ns.fs.disk.CorruptFsException e) {
            throw new IllegalStateException("formatter built an invalid root directory block", e);
        }
        blocks.write(run.start(), dir.bytes());
        putInode(ROOT_INO, directoryInode(ROOT_MODE, 3, run)); // ".", ".." and lost+found's ".."
    }

    private void writeLostAndFound(FormatAllocator.Run run) throws IOException {
        byte[] all = new byte[Math.toIntExact(run.count() * bs)];
        for (int i = 0; i < run.count(); i++) {
            DirectoryBlock dir = new DirectoryBlock(new byte[bs]);
            if (i == 0) {
                dir.initDirectory(LOST_AND_FOUND_INO, ROOT_INO);
            } else {
                dir.initEmpty();
            }
            System.arraycopy(dir.bytes(), 0, all, i * bs, bs);
        }
        blocks.write(run.start(), all);
        putInode(LOST_AND_FOUND_INO, directoryInode(LOST_AND_FOUND_MODE, 2, run));
    }

    private Inode directoryInode(int mode, int links, FormatAllocator.Run run) {
        Inode in = Inode.blank(spec.inodeSize());
        in.setMode(mode);
        in.setLinksCount(links);
        in.setSize(run.count() * bs);
        in.setBlocks512(run.count() * (bs / 512));
        for (int i = 0; i < run.count(); i++) {
            in.setBlock(i, run.start() + i);
        }
        long t = spec.createdEpochSeconds() * 1_000_000_000L;
        in.setAtimeNanos(t);
        in.setCtimeNanos(t);
        in.setMtimeNanos(t);
        in.setCrtimeNanos(t);
        return in;
    }

    /** Places an inode into its (group 0) inode-table block, written after the table is zeroed. */
    private void putInode(long ino, Inode inode) {
        long byteInTable = geo.indexInGroup(ino) * geo.inodeSize();
        long block = layout.inodeTable(geo.groupOfInode(ino)) + byteInTable / bs;
        byte[] buf = inodeBlocks.computeIfAbsent(block, b -> new byte[bs]);
        inode.encodeInto(buf, (int) (byteInTable % bs));
    }

    private Superblock buildSuperblock(GroupDescriptor[] gds) {
        long freeBlocks = 0;
        long freeInodes = 0;
        for (GroupDescriptor gd : gds) {
            freeBlocks += gd.freeBlocks();
            freeInodes += gd.freeInodes();
        }
        Superblock sb = Superblock.blank();
        sb.setInodesCount(geo.inodesCount());
        sb.setBlocksCount(geo.blocksCount());
        sb.setReservedBlocksCount((long) Math.floor(geo.blocksCount() * spec.reservedPercent() / 100.0));
        sb.setFreeBlocksCount(freeBlocks);
        sb.setFreeInodesCount(freeInodes);
        sb.setFirstDataBlock(geo.firstDataBlock());
        sb.setLogBlockSize(Integer.numberOfTrailingZeros(bs / 1024));
        sb.setBlocksPerGroup(geo.blocksPerGroup());
        sb.setInodesPerGroup(geo.inodesPerGroup());
        sb.setWriteTime(spec.createdEpochSeconds());
        sb.setMaxMountCount(-1);
        sb.setMagic(Superblock.MAGIC);
        sb.setState(Superblock.STATE_VALID);
        sb.setErrors(Superblock.ERRORS_CONTINUE);
        sb.setLastCheck(spec.createdEpochSeconds());
        sb.setRevLevel(Superblock.REV_DYNAMIC);
        sb.setFirstIno(VolumeLayout.FIRST_INO);
        sb.setInodeSize(spec.inodeSize());
        sb.setFeatureIncompat(Features.INCOMPAT_FILETYPE);
        sb.setFeatureRoCompat(Features.RO_COMPAT_SPARSE_SUPER | Features.RO_COMPAT_LARGE_FILE);
        sb.setUuid(spec.uuid());
        sb.setVolumeName(spec.label());
        sb.setMkfsTime(spec.createdEpochSeconds());
        if (spec.inodeSize() > Inode.GOOD_OLD_SIZE) {
            sb.setMinExtraIsize(Inode.EXTRA_ISIZE);
            sb.setWantExtraIsize(Inode.EXTRA_ISIZE);
        }
        return sb;
    }

    /** The descriptor table in every backup group (group 0's is the primary) and the backup superblocks. */
    private void writeBackups(Superblock sb, GroupDescriptor[] gds) throws IOException {
        byte[] gdt = new byte[Math.toIntExact(geo.gdtBlocks() * bs)];
        for (int g = 0; g < gds.length; g++) {
            gds[g].encodeInto(gdt, g * GroupDescriptor.SIZE);
        }
        for (long g = 0; g < gds.length; g++) {
            if (geo.hasSuperBackup(g)) {
                blocks.write(geo.gdtFirstBlock(g), gdt);
                if (g > 0) {
                    writeSuperblockCopy(sb, g);
                }
            }
        }
    }

    /** Writes the block holding group {@code g}'s superblock copy, stamped with its group number. */
    private void writeSuperblockCopy(Superblock sb, long g) throws IOException {
        Superblock copy = sb.copy();
        copy.setBlockGroupNr((int) (g & 0xFFFF)); // u16 on disk; mke2fs truncates the same way
        long offset = geo.superblockByteOffset(g);
        byte[] block = new byte[bs];
        copy.encodeInto(block, (int) (offset % bs));
        blocks.write(offset / bs, block);
    }
}
