package io.ext3ns.fs.check;

import io.ext3ns.fs.disk.CorruptFsException;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.disk.SuperblockOpener;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which superblock and descriptor table the check trusts, chosen as e2fsck chooses: the primary copies; when they do
 * not validate (one bad field in the superblock or a descriptor), the first backup copy that does — sparse_super keeps
 * them at the start of groups 1, 3, 5, 7, 9, 25, 27, ... — or the copy named with -b. A check from a backup reports an
 * error whose repair writes that superblock and descriptor table over the primary copies (and every backup's table).
 * At block sizes no other tool reads (above 64 KiB) this is the only way back for a volume with a damaged primary.
 */
final class SuperblockChoice {
    static final int MIN_BLOCK_SIZE = 1024;
    static final int MAX_BLOCK_SIZE = 1024 << Superblock.MAX_LOG_BLOCK_SIZE;
    /** fsck repairs what it opens: a copy with unknown ro_compat features is refused like a bad one. */
    private static final SuperblockOpener.Policy POLICY = SuperblockOpener.Policy.REPORT;
    /** Backup groups tried in turn after a bad primary (e2fsck tries group 1 only). */
    private static final long[] BACKUP_GROUPS = {1, 3, 5, 7, 9, 25, 27, 49};
    /** Reads the last-resort scan for group 1's copy may make (a few seconds at most). */
    private static final int MAX_SCAN_READS = 20_000;

    /** The opened view, and the problem that says it is not the primary one (null when it is). */
    record Opened(VolumeReader volume, Problem problem) {
    }

    private SuperblockChoice() {
    }

    static Opened open(BlockDevice device, CheckOptions options) throws IOException {
        if (options.superblock() != 0) {
            return openNamed(device, options.superblock(), options.blockSize());
        }
        SuperblockOpener.Result inspected = SuperblockOpener.inspect(device, Superblock.OFFSET, POLICY);
        Superblock primary = inspected.superblock();
        CorruptFsException primaryError;
        try {
            return new Opened(VolumeReader.open(device, inspected.orThrow(), 0), null);
        } catch (CorruptFsException e) {
            primaryError = e;
        }
        if (primary != null && primary.groupCount() <= 1) {
            throw primaryError; // one group: there is no backup copy
        }
        String why = primaryError.detail();
        for (long[] candidate : candidates(device)) {
            for (long group : BACKUP_GROUPS) {
                Opened backup = tryGroup(device, (int) candidate[0], candidate[1], group, why);
                if (backup != null) {
                    return backup;
                }
            }
        }
        // last resort, for a primary too damaged to say its geometry and a layout with other than the default
        // group size: group 1's copy at every group size, as far as the device reaches (bounded reads; large
        // block sizes first, they need the fewest)
        int reads = 0;
        for (int bs = MAX_BLOCK_SIZE; bs >= MIN_BLOCK_SIZE && reads < MAX_SCAN_READS; bs /= 2) {
            if (bs % device.alignment() != 0) {
                continue;
            }
            for (long bpg = 8; bpg <= defaultBlocksPerGroup(bs) && reads < MAX_SCAN_READS; bpg += 8) {
                if ((bpg + 1) * bs > device.size()) {
                    break;
                }
                reads++;
                Opened backup = tryGroup(device, bs, bpg, 1, why);
                if (backup != null) {
                    return backup;
                }
            }
        }
        throw primaryError;
    }

    private static Opened tryGroup(BlockDevice device, int bs, long bpg, long group, String why) throws IOException {
        long block = (bs == MIN_BLOCK_SIZE ? 1 : 0) + group * bpg;
        Opened backup = tryBackup(device, block, bs, bpg);
        if (backup == null) {
            return null;
        }
        return new Opened(backup.volume(), Problem.error(0, "the primary superblock or group descriptors are invalid ("
                + why + "); checked with the backup copies at block " + block + " (group " + group + ", " + bs
                + "-byte blocks)", Repairs::rewritePrimaryCopies));
    }

    /** -b BLOCK [-B SIZE]: the copy at that block, at the given block size or the first size it validates at. */
    private static Opened openNamed(BlockDevice device, long block, int blockSize) throws IOException {
        String last = "no superblock there";
        for (int bs = MIN_BLOCK_SIZE; bs <= MAX_BLOCK_SIZE; bs *= 2) {
            if ((blockSize != 0 && bs != blockSize) || bs % device.alignment() != 0) {
                continue;
            }
            try {
                Superblock sb = SuperblockOpener.openAt(device, block * bs, POLICY);
                Geometry geo = new Geometry(sb);
                long group = geo.groupOfBlock(block);
                if (sb.blockSize() != bs || block < geo.firstDataBlock() || geo.groupFirstBlock(group) != block) {
                    last = "the copy found there is for " + sb.blockSize() + "-byte blocks and another block";
                    continue;
                }
                VolumeReader volume = VolumeReader.open(device, sb, group);
                return new Opened(volume, namedProblem(device, block, group));
            } catch (CorruptFsException e) {
                last = e.detail();
            }
        }
        throw new CorruptFsException("no valid superblock copy at block " + block
                + (blockSize != 0 ? " of " + blockSize + " bytes" : " at any block size from 1 KiB to 2 MiB")
                + ": " + last);
    }

    /** With -b the primary is overwritten by -y as e2fsck does; an error only when the primary is damaged. */
    private static Problem namedProblem(BlockDevice device, long block, long group) throws IOException {
        String what = "checked with the superblock copy at block " + block + " (group " + group + ", -b)";
        if (group == 0) {
            return null;
        }
        try {
            VolumeReader.open(device, POLICY);
        } catch (CorruptFsException e) {
            return Problem.error(0, "the primary superblock or group descriptors are invalid ("
                    + e.detail() + "); " + what, Repairs::rewritePrimaryCopies);
        }
        return Problem.note(0, what + "; -y writes it over the primary", Repairs::rewritePrimaryCopies);
    }

    private static Opened tryBackup(BlockDevice device, long block, int bs, long bpg) throws IOException {
        long offset = block * bs;
        if (offset + Superblock.SIZE > device.size()) {
            return null;
        }
        try {
            Superblock sb = SuperblockOpener.openAt(device, offset, POLICY);
            if (sb.blockSize() != bs || sb.blocksPerGroup() != bpg) {
                return null;
            }
            Geometry geo = new Geometry(sb);
            return new Opened(VolumeReader.open(device, sb, geo.groupOfBlock(block)), null);
        } catch (CorruptFsException e) {
            return null;
        }
    }

    /**
     * (block size, blocks per group) pairs to look for group 1's copy with: first the primary's own fields when
     * they are plausible (a damaged primary may still have them right), then every block size with mke2fs's and
     * mkfs.ext3ns's default of a bitmap block's worth of blocks (at most 65528).
     */
    private static List<long[]> candidates(BlockDevice device) throws IOException {
        Set<List<Long>> out = new LinkedHashSet<>();
        int unit = Math.max(AlignedBuffers.PAGE, device.alignment());
        if (device.size() >= unit) {
            ByteBuffer buf = AlignedBuffers.allocate(unit, unit);
            device.read(0, buf);
            byte[] head = new byte[unit];
            buf.flip().get(head);
            // s_log_block_size and s_log_cluster_size, s_blocks_per_group and s_clusters_per_group: equal in ext3,
            // so one of each pair may have survived the damage
            for (int logAt : new int[] {0x18, 0x1C}) {
                for (int bpgAt : new int[] {0x20, 0x24}) {
                    long log = u32(head, Superblock.OFFSET + logAt);
                    long bpg = u32(head, Superblock.OFFSET + bpgAt);
                    if (log <= Superblock.MAX_LOG_BLOCK_SIZE) {
                        int bs = MIN_BLOCK_SIZE << log;
                        if (bpg >= 8 && bpg % 8 == 0 && bpg <= defaultBlocksPerGroup(bs)) {
                            out.add(List.of((long) bs, bpg));
                        }
                    }
                }
            }
        }
        for (int bs = MIN_BLOCK_SIZE; bs <= MAX_BLOCK_SIZE; bs *= 2) {
            out.add(List.of((long) bs, defaultBlocksPerGroup(bs)));
        }
        List<long[]> result = new ArrayList<>();
        for (List<Long> c : out) {
            if (c.get(0) % device.alignment() == 0) {
                result.add(new long[] {c.get(0), c.get(1)});
            }
        }
        return result;
    }

    private static long u32(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
    }

    private static long defaultBlocksPerGroup(int bs) {
        return Math.min(8L * bs, Superblock.MAX_BLOCKS_PER_GROUP);
    }
}
