package io.ext3ns.fs.inspect;

import io.ext3ns.fs.disk.BlockMapShape;
import io.ext3ns.fs.disk.BlockMapWalker;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.disk.SuperblockOpener;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Read access to a volume for the offline tools (fsck, dump, fragmentation): the validated primary superblock, the
 * geometry, the validated group descriptors, blocks, inodes and path lookup. Everything is checked before it is
 * trusted: a superblock that claims more blocks than the device holds, or a descriptor table that could not fit in
 * group 0, is refused with a {@link CorruptFsException} before anything is allocated from it.
 */
public final class VolumeReader {
    private final DeviceBlocks blocks;
    private final Superblock sb;
    private final Geometry geo;
    private final GroupDescriptor[] gds;
    private final BlockMapShape shape;
    private final long superblockGroup;

    private VolumeReader(DeviceBlocks blocks, Superblock sb, Geometry geo, GroupDescriptor[] gds,
                         long superblockGroup) {
        this.blocks = blocks;
        this.sb = sb;
        this.geo = geo;
        this.gds = gds;
        this.shape = new BlockMapShape(sb.blockSize());
        this.superblockGroup = superblockGroup;
    }

    /** Opens the volume on {@code device} to read it: superblock, geometry and descriptors, all validated. */
    public static VolumeReader open(BlockDevice device) throws IOException {
        return open(device, SuperblockOpener.Policy.READ_ONLY);
    }

    /** As {@link #open(BlockDevice)}, the primary superblock opened under {@code policy} (fsck: READ_WRITE). */
    public static VolumeReader open(BlockDevice device, SuperblockOpener.Policy policy) throws IOException {
        return open(device, SuperblockOpener.open(device, policy), 0);
    }

    /**
     * Opens the volume as the superblock copy {@code sb} of group {@code group} describes, with the descriptor table
     * that follows that copy (group 0: the primary ones; a backup group's after a damaged primary, for fsck).
     * {@code sb} comes from {@link SuperblockOpener}; its device checks are repeated here (no I/O) so that no
     * descriptor table is allocated from a superblock that was not.
     */
    public static VolumeReader open(BlockDevice device, Superblock sb, long group) throws IOException {
        SuperblockOpener.check(sb, device, SuperblockOpener.Policy.READ_ONLY);
        int bs = sb.blockSize();
        Geometry geo = new Geometry(sb);
        long gdtBytes = geo.gdtBlocks() * bs;
        if (group < 0 || group >= geo.groupCount() || !geo.hasSuperBackup(group)) {
            throw new CorruptFsException("group " + group + " holds no superblock copy");
        }
        DeviceBlocks blocks = new DeviceBlocks(device, bs);
        byte[] table = new byte[(int) gdtBytes];
        blocks.read(geo.gdtFirstBlock(group), table);
        GroupDescriptor[] gds = new GroupDescriptor[(int) geo.groupCount()];
        for (int g = 0; g < gds.length; g++) {
            gds[g] = GroupDescriptor.decode(table, g * GroupDescriptor.SIZE, g, geo);
        }
        for (int g = 0; g < gds.length; g++) {
            checkNoOverlap(geo, g, gds[g]);
        }
        return new VolumeReader(blocks, sb, geo, gds, group);
    }

    /**
     * As e2fsprogs' ext2fs_check_desc: a group's bitmaps, inode table and superblock/descriptor copy must not share a
     * block (each lies inside the group already, so checking within the group is enough).
     */
    private static void checkNoOverlap(Geometry geo, long g, GroupDescriptor gd) throws CorruptFsException {
        long first = geo.groupFirstBlock(g);
        long[][] spans = {
            {first, first + geo.superAndGdtBlocks(g)},
            {gd.blockBitmap(), gd.blockBitmap() + 1},
            {gd.inodeBitmap(), gd.inodeBitmap() + 1},
            {gd.inodeTable(), gd.inodeTable() + geo.inodeTableBlocks()},
        };
        String[] names = {"superblock/descriptor copy", "block bitmap", "inode bitmap", "inode table"};
        for (int i = 0; i < spans.length; i++) {
            for (int j = i + 1; j < spans.length; j++) {
                if (spans[i][0] < spans[j][1] && spans[j][0] < spans[i][1]) {
                    throw new CorruptFsException("group " + g + " descriptor: " + names[j] + " at block "
                            + spans[j][0] + " overlaps the " + names[i]);
                }
            }
        }
    }

    public Superblock superblock() {
        return sb;
    }

    /** The group whose superblock and descriptor copies this view was read from (0: the primary copies). */
    public long superblockGroup() {
        return superblockGroup;
    }

    public Geometry geometry() {
        return geo;
    }

    public GroupDescriptor descriptor(long group) {
        return gds[(int) group];
    }

    public int groupCount() {
        return gds.length;
    }

    public BlockMapShape shape() {
        return shape;
    }

    public DeviceBlocks blocks() {
        return blocks;
    }

    public byte[] readBlock(long block) throws IOException {
        if (block < 0 || block >= geo.blocksCount()) {
            throw new CorruptFsException("block " + block + " is outside the file system");
        }
        return blocks.read(block);
    }

    /** Reads inode {@code ino} from its group's inode table (not validated: callers decide what to trust). */
    public Inode readInode(long ino) throws IOException {
        if (!geo.isValidInode(ino)) {
            throw new CorruptFsException("inode " + ino + " out of range 1.." + geo.inodesCount());
        }
        long byteInTable = geo.indexInGroup(ino) * geo.inodeSize();
        long block = gds[(int) geo.groupOfInode(ino)].inodeTable() + byteInTable / geo.blockSize();
        return Inode.decode(blocks.read(block), (int) (byteInTable % geo.blockSize()), geo.inodeSize());
    }

    /** A walker over block maps of this volume that reads through {@link #readBlock}. */
    public BlockMapWalker walker() {
        return new BlockMapWalker(geo, this::readBlock);
    }

    /**
     * Physical data blocks of an inode in logical order (holes skipped), pointers checked to be in range and no
     * indirect block walked twice.
     */
    public List<long[]> dataBlocks(long ino, Inode inode) throws IOException {
        List<long[]> out = new ArrayList<>();
        walker().walk(inode, new BlockMapWalker.Visitor() {
            @Override
            public boolean indirect(long physical, int level, long firstLogical) {
                return true;
            }

            @Override
            public void data(long logical, long physical) {
                out.add(new long[] {logical, physical});
            }

            @Override
            public boolean bad(BlockMapWalker.Bad kind, long physical, int level, long firstLogical)
                    throws CorruptFsException {
                throw badPointer(ino, kind, physical, level, firstLogical);
            }
        });
        return out;
    }

    /** The data of an inode as contiguous runs in logical order, checked as {@link #dataBlocks}. */
    public List<FileFragmentation.Run> dataRuns(long ino, Inode inode) throws IOException {
        List<FileFragmentation.Run> out = new ArrayList<>();
        walker().walkRuns(inode, new BlockMapWalker.RunVisitor() {
            @Override
            public void run(long logical, long physical, long length) {
                out.add(new FileFragmentation.Run(logical, physical, length));
            }

            @Override
            public boolean bad(BlockMapWalker.Bad kind, long physical, int level, long firstLogical)
                    throws CorruptFsException {
                throw badPointer(ino, kind, physical, level, firstLogical);
            }
        });
        return out;
    }

    private static CorruptFsException badPointer(long ino, BlockMapWalker.Bad kind, long physical, int level,
                                                 long firstLogical) {
        return new CorruptFsException(kind == BlockMapWalker.Bad.OUT_OF_RANGE
                ? "inode " + ino + " maps block " + physical + ", outside the file system"
                : "inode " + ino + ": " + BlockMapWalker.describe(kind, physical, level, firstLogical));
    }

    /** Resolves an absolute path by reading directories linearly (htree directories included). */
    public long lookup(String path) throws IOException {
        long ino = io.ext3ns.fs.api.FileSystem.ROOT_INO;
        for (String part : path.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            Inode dir = readInode(ino);
            dir.validate(ino, geo);
            if (!dir.isDirectory()) {
                throw new CorruptFsException(path + ": inode " + ino + " on the way is not a directory");
            }
            ino = find(ino, dir, io.ext3ns.fs.util.FileNames.encode(part));
            if (ino == 0) {
                throw new java.nio.file.NoSuchFileException(path + ": no entry " + part);
            }
        }
        return ino;
    }

    private long find(long dirIno, Inode dir, byte[] name) throws IOException {
        for (long[] lp : dataBlocks(dirIno, dir)) {
            DirectoryBlock block = new DirectoryBlock(readBlock(lp[1]));
            DirectoryBlock.Entry e = block.find(name, "directory " + dirIno + " block " + lp[0]);
            if (e != null) {
                return e.inode();
            }
        }
        return 0;
    }
}
