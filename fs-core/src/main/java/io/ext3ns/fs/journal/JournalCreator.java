package io.ext3ns.fs.journal;

import io.ext3ns.fs.disk.BlockMapShape;
import io.ext3ns.fs.disk.DeviceBlocks;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.IndirectBlock;
import io.ext3ns.fs.disk.Inode;
import io.ext3ns.fs.disk.Superblock;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Creates the journal inode's contents at mkfs time, as mke2fs lays it out: one contiguous run holding the journal
 * blocks in file order with each indirect block placed just before the first block it maps (blocks 0-11, IND,
 * 12.., DIND, IND, ...). Writes the zeroed log, the indirect blocks and an empty journal superblock, and fills in the
 * inode and the superblock fields (has_journal, s_journal_inum, s_jnl_blocks backup).
 */
public final class JournalCreator {
    public static final long JOURNAL_INO = 8;
    /** s_jnl_backup_type: s_jnl_blocks holds a copy of the journal inode's i_block and size. */
    public static final int JNL_BACKUP_BLOCKS = 1;

    private final int blockSize;
    private final long journalBlocks;
    /** The extents ({start, count}) holding the journal and its indirect blocks, in file order. */
    private final List<long[]> extents;
    private final long[] iBlock = new long[Inode.N_BLOCKS];
    /** Indirect blocks by physical number, with their little-endian pointers. */
    private final Map<Long, byte[]> indirect = new LinkedHashMap<>();
    private int extent;
    private long inExtent;

    /** Plans a journal of {@code journalBlocks} in the run starting at {@code runStart} of {@link #runLength} blocks. */
    public JournalCreator(int blockSize, long journalBlocks, long runStart) {
        this(blockSize, journalBlocks, List.<long[]>of(new long[] {runStart, runLength(blockSize, journalBlocks)}));
    }

    /**
     * Plans a journal of {@code journalBlocks} in {@code extents} ({start, count} each, {@link #runLength} blocks
     * together), filled in order: a journal larger than a group's free space spans groups, as mke2fs places it,
     * skipping the other groups' metadata between the extents.
     */
    public JournalCreator(int blockSize, long journalBlocks, List<long[]> extents) {
        if (journalBlocks < JournalSize.minBlocks(blockSize)) {
            throw new IllegalArgumentException("a journal needs at least " + JournalSize.minBlocks(blockSize)
                    + " blocks");
        }
        long total = 0;
        for (long[] e : extents) {
            total += e[1];
        }
        if (total != runLength(blockSize, journalBlocks)) {
            throw new IllegalArgumentException("extents of " + total + " blocks for a journal needing "
                    + runLength(blockSize, journalBlocks));
        }
        this.blockSize = blockSize;
        this.journalBlocks = journalBlocks;
        this.extents = List.copyOf(extents);
        layOut();
    }

    /** The next physical block of the extents, in order. */
    private long next() {
        while (inExtent == extents.get(extent)[1]) {
            extent++;
            inExtent = 0;
        }
        return extents.get(extent)[0] + inExtent++;
    }

    /** Blocks the run must hold: the journal plus its indirect blocks. */
    public static long runLength(int blockSize, long journalBlocks) {
        return journalBlocks + new BlockMapShape(blockSize).indirectBlocksFor(journalBlocks);
    }

    private void layOut() {
        BlockMapShape shape = new BlockMapShape(blockSize);
        for (long n = 0; n < journalBlocks; n++) {
            int[] path = shape.path(n);
            if (path.length == 1) {
                iBlock[path[0]] = next();
                continue;
            }
            // Allocate the chain of indirect blocks down to the leaf pointer, each the first time it is needed.
            if (iBlock[path[0]] == 0) {
                iBlock[path[0]] = next();
                indirect.put(iBlock[path[0]], new byte[blockSize]);
            }
            long parent = iBlock[path[0]];
            for (int depth = 1; depth < path.length - 1; depth++) {
                byte[] pb = indirect.get(parent);
                long child = IndirectBlock.get(pb, path[depth]);
                if (child == 0) {
                    child = next();
                    IndirectBlock.set(pb, path[depth], child);
                    indirect.put(child, new byte[blockSize]);
                }
                parent = child;
            }
            IndirectBlock.set(indirect.get(parent), path[path.length - 1], next());
        }
    }

    /** The FS block of journal block 0 (where the journal superblock lives). */
    public long firstJournalBlock() {
        return iBlock[0];
    }

    /** Zeroes the extents (no stale log block may ever look valid), then writes indirect blocks and the superblock. */
    public void write(DeviceBlocks dev, UUID fsUuid) throws IOException {
        write(dev, fsUuid, true);
    }

    /**
     * As {@link #write(DeviceBlocks, UUID)}; {@code zero} false skips zeroing where the caller knows the device
     * reads zeros (fresh sparse members: the quickstart's 256 MiB journal then costs no disk writes).
     */
    public void write(DeviceBlocks dev, UUID fsUuid, boolean zero) throws IOException {
        if (zero) {
            for (long[] e : extents) {
                dev.zero(e[0], e[1]);
            }
        }
        for (Map.Entry<Long, byte[]> e : indirect.entrySet()) {
            dev.write(e.getKey(), e.getValue());
        }
        byte[] block0 = new byte[blockSize];
        System.arraycopy(JournalSuperblock.create(blockSize, journalBlocks, fsUuid).bytes(), 0, block0, 0,
                JournalSuperblock.SIZE);
        dev.write(firstJournalBlock(), block0);
    }

    /** Inode 8: a regular file, mode 0600, one link, mapping the whole run. */
    public Inode inode(int inodeSize, long epochSeconds) {
        Inode in = Inode.blank(inodeSize);
        in.setMode(Inode.S_IFREG | 0600);
        in.setLinksCount(1);
        in.setSize(journalBlocks * blockSize);
        in.setBlocks512(runLength(blockSize, journalBlocks) * (blockSize / 512));
        for (int i = 0; i < Inode.N_BLOCKS; i++) {
            in.setBlock(i, iBlock[i]);
        }
        long t = epochSeconds * 1_000_000_000L;
        in.setAtimeNanos(t);
        in.setCtimeNanos(t);
        in.setMtimeNanos(t);
        in.setCrtimeNanos(t);
        return in;
    }

    /** has_journal, s_journal_inum = 8 and the s_jnl_blocks backup of the inode's map and size. */
    public void applyTo(Superblock sb) {
        sb.setFeatureCompat(sb.featureCompat() | Features.COMPAT_HAS_JOURNAL);
        sb.setJournalInum(JOURNAL_INO);
        for (int i = 0; i < Inode.N_BLOCKS; i++) {
            sb.setJnlBlock(i, iBlock[i]);
        }
        long size = journalBlocks * blockSize;
        sb.setJnlBlock(15, size >>> 32);
        sb.setJnlBlock(16, size & 0xFFFF_FFFFL);
        sb.setJnlBackupType(JNL_BACKUP_BLOCKS);
    }
}
