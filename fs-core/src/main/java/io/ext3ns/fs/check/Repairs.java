package io.ext3ns.fs.check;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.DirEntryType;
import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.inspect.VolumeReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The writes fsck -y makes, each a read-modify-write of whole blocks. Descriptor and superblock changes are gathered
 * and written by {@link #finish}: the descriptor table to every backup group, the superblock to its primary copy.
 */
public final class Repairs {
    private static final byte[] LOST_AND_FOUND = "lost+found".getBytes(StandardCharsets.US_ASCII);

    private final VolumeReader volume;
    private final DeviceBlocks blocks;
    private final Geometry geo;
    private final GroupDescriptor[] gds;
    private final Superblock sb;
    private final long now;
    private boolean gdtDirty;
    private boolean written;

    Repairs(VolumeReader volume, long nowEpochSeconds) {
        this.volume = volume;
        this.blocks = volume.blocks();
        this.geo = volume.geometry();
        this.gds = new GroupDescriptor[volume.groupCount()];
        for (int g = 0; g < gds.length; g++) {
            gds[g] = volume.descriptor(g).copy();
        }
        this.sb = volume.superblock().copy();
        this.now = nowEpochSeconds;
    }

    public void updateInode(long ino, Consumer<Inode> change) throws IOException {
        editInode(ino, change::accept);
    }

    /** A change of an inode that may itself read and write blocks; nothing of the inode is written if it throws. */
    private interface InodeEdit {
        void apply(Inode inode) throws IOException;
    }

    private void editInode(long ino, InodeEdit change) throws IOException {
        long byteInTable = geo.indexInGroup(ino) * geo.inodeSize();
        long block = gds[(int) geo.groupOfInode(ino)].inodeTable() + byteInTable / geo.blockSize();
        int offset = (int) (byteInTable % geo.blockSize());
        byte[] data = blocks.read(block);
        Inode inode = Inode.decode(data, offset, geo.inodeSize());
        change.apply(inode);
        inode.encodeInto(data, offset);
        writeBlock(block, data);
    }

    /**
     * Cuts a regular file's block map at file block {@code keep} and sets i_blocks to {@code blocks512} (what stays,
     * counted by the scan); the rescan finds the blocks let go unused and pass 5 frees them.
     */
    public void cutBlockMap(long ino, long keep, long blocks512) throws IOException {
        var walker = volume.walker();
        BlockMapCut cut = new BlockMapCut(blocks, walker.shape(), walker::inRange);
        editInode(ino, x -> {
            cut.cut(x, keep, this);
            x.setBlocks512(blocks512);
        });
    }

    /** e2fsck's "Clear": the inode is released (no links, dtime now); the rescan drops its names and blocks. */
    public void clearInode(long ino) throws IOException {
        updateInode(ino, x -> {
            x.setLinksCount(0);
            x.setDtime(now);
        });
    }

    public void writeBlock(long block, byte[] data) throws IOException {
        blocks.write(block, data);
        written = true;
    }

    /** Read-modify-write of one block: {@code edit} changes the bytes in place. */
    public void patchBlock(long block, Consumer<byte[]> edit) throws IOException {
        byte[] data = blocks.read(block);
        edit.accept(data);
        writeBlock(block, data);
    }

    /** Removes the entry at {@code offset} of directory block {@code block}. */
    public void clearEntry(long block, int offset, String where) throws IOException {
        DirectoryBlock dir = new DirectoryBlock(blocks.read(block));
        dir.remove(offset, where);
        writeBlock(block, dir.bytes());
    }

    /** Points the entry at {@code offset} of directory block {@code block} to {@code ino} with {@code type}. */
    public void setEntryTarget(long block, int offset, long ino, int type) throws IOException {
        DirectoryBlock dir = new DirectoryBlock(blocks.read(block));
        dir.retarget(offset, ino, type);
        writeBlock(block, dir.bytes());
    }

    /** Adds the entry "#ino" to /lost+found; fails when lost+found is missing or full (nothing is allocated). */
    public void linkIntoLostAndFound(long ino, int type) throws IOException {
        long lpf = volume.lookup("/lost+found");
        Inode dir = volume.readInode(lpf);
        if (!dir.isDirectory()) {
            throw new CorruptFsException("/lost+found is not a directory");
        }
        byte[] name = ("#" + ino).getBytes(StandardCharsets.US_ASCII);
        for (long[] lp : volume.dataBlocks(lpf, dir)) {
            DirectoryBlock block = new DirectoryBlock(blocks.read(lp[1]));
            if (block.insert(name, ino, type, "/lost+found block #" + lp[0])) {
                writeBlock(lp[1], block.bytes());
                return;
            }
        }
        throw new IOException("/lost+found is full; cannot reconnect inode " + ino);
    }

    /** Links an unconnected directory into /lost+found and points its '..' there. */
    public void reconnectDirectory(long ino, long dotdotBlock, int dotdotOffset) throws IOException {
        linkIntoLostAndFound(ino, DirEntryType.DIR);
        if (dotdotOffset >= 0) {
            setEntryTarget(dotdotBlock, dotdotOffset, volume.lookup("/lost+found"), DirEntryType.DIR);
        }
    }

    /**
     * Makes /lost+found (mode 0700) on inode {@code ino} with the one block {@code block}, both unused, and names it
     * in the root; the next scan corrects the root's link count, the bitmaps and the counts.
     */
    public void createLostAndFound(long ino, long block) throws IOException {
        int bs = geo.blockSize();
        DirectoryBlock dir = new DirectoryBlock(new byte[bs]);
        dir.initDirectory(ino, FileSystem.ROOT_INO);
        Inode root = volume.readInode(FileSystem.ROOT_INO);
        boolean named = false;
        for (long[] lp : volume.dataBlocks(FileSystem.ROOT_INO, root)) {
            DirectoryBlock rootBlock = new DirectoryBlock(blocks.read(lp[1]));
            if (rootBlock.insert(LOST_AND_FOUND, ino, DirEntryType.DIR, "root block #" + lp[0])) {
                writeBlock(block, dir.bytes());
                writeLostAndFoundInode(ino, block);
                writeBlock(lp[1], rootBlock.bytes());
                named = true;
                break;
            }
        }
        if (!named) {
            throw new IOException("the root directory has no room for lost+found");
        }
    }

    private void writeLostAndFoundInode(long ino, long block) throws IOException {
        updateInode(ino, in -> {
            in.clearForReuse();
            in.setMode(Inode.S_IFDIR | 0700);
            in.setLinksCount(2);
            in.setSize(geo.blockSize());
            in.setBlocks512(geo.blockSize() / 512);
            in.setBlock(0, block);
            long t = now * 1_000_000_000L;
            in.setAtimeNanos(t);
            in.setCtimeNanos(t);
            in.setMtimeNanos(t);
            in.setCrtimeNanos(t);
        });
    }

    public void updateDescriptor(int group, Consumer<GroupDescriptor> change) {
        change.accept(gds[group]);
        gdtDirty = true;
    }

    /**
     * Writes the superblock and descriptor table this round was read with (a backup's, after a damaged primary) over
     * the primary copies; the descriptor table also goes to every backup group, as any descriptor change does.
     */
    public void rewritePrimaryCopies() {
        sb.setBlockGroupNr(0);
        gdtDirty = true;
        written = true;
    }

    public void updateSuperblock(Consumer<Superblock> change) {
        change.accept(sb);
        written = true;
    }

    /**
     * As e2fsck after a check that left no error: s_state VALID (not-clean and error flags cleared) and the mount
     * count reset, so the volume mounts read-write again.
     */
    void markClean() {
        sb.setState(Superblock.STATE_VALID);
        sb.setMountCount(0);
        written = true;
    }

    /** Writes the gathered descriptor and superblock changes; returns whether anything was written at all. */
    boolean finish() throws IOException {
        if (gdtDirty) {
            byte[] table = new byte[(int) (geo.gdtBlocks() * geo.blockSize())];
            blocks.read(geo.gdtFirstBlock(volume.superblockGroup()), table); // the copy the check trusted
            for (int g = 0; g < gds.length; g++) {
                gds[g].encodeInto(table, g * GroupDescriptor.SIZE);
            }
            for (long g = 0; g < gds.length; g++) {
                if (geo.hasSuperBackup(g)) {
                    writeBlock(geo.gdtFirstBlock(g), table);
                }
            }
        }
        if (written) {
            sb.setLastCheck(now);
            long block = Superblock.OFFSET / geo.blockSize();
            byte[] data = blocks.read(block);
            sb.encodeInto(data, Superblock.OFFSET % geo.blockSize());
            blocks.write(block, data);
            blocks.flush();
        }
        return written;
    }
}
