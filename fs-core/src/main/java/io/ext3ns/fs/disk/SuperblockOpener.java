package io.ext3ns.fs.disk;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.BlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place a superblock is read from a device (e2fsprogs' ext2fs_open2): the primary copy at byte 1024 or a
 * backup copy at a given byte offset, validated before anything is derived from it. {@link Superblock#decode} checks
 * the fields against each other (magic, revision, log block size 0..11 = 1 KiB..2 MiB, first data block, blocks and
 * inodes per group, inode size, first inode, counts, unknown incompat features, descriptor size); the opener adds
 * what needs the device and the policy: block size against the device's alignment, blocks count against the device
 * size, reserved GDT blocks, the group count (descriptor table bounded and inside group 0), the inode table inside a
 * group, and unknown ro_compat features when the caller will write.
 *
 * <p>Mount (engine), journal recovery, fsck and dump/inspect all open through here; they differ only in the
 * {@link Policy}. Re-reading the superblock's block for a read-modify-write of a flag (error or needs-recovery) is
 * {@link Superblock#decode} of bytes already in hand, not an open.
 */
public final class SuperblockOpener {
    /** What the caller will do with the volume: decides whether unknown ro_compat features refuse it. */
    public enum Policy {
        /** Reads only (dump, inspect, a read-only mount, journal replay): unknown ro_compat features are fine. */
        READ_ONLY,
        /** Writes (fsck repairs): unknown ro_compat features refuse, we could break what they maintain. */
        READ_WRITE,
        /**
         * fsck choosing a copy: as {@link #READ_WRITE}, but {@link #inspect} lists the problems instead of throwing,
         * so the checker can say why the primary was refused and try a backup.
         */
        REPORT
    }

    /** A descriptor table larger than this is absurd (2^23 groups) and refused before it is allocated. */
    public static final long MAX_GDT_BYTES = 256L << 20;

    /**
     * What {@link #inspect} found.
     *
     * @param superblock the copy when its fields decode on their own (null when they do not: bad magic, ...)
     * @param problems   every reason to refuse it, in check order; empty when it may be used
     */
    public record Result(Superblock superblock, List<String> problems) {
        public boolean usable() {
            return superblock != null && problems.isEmpty();
        }

        /** The superblock, or the first problem as a {@link CorruptFsException}. */
        public Superblock orThrow() throws CorruptFsException {
            if (!usable()) {
                throw new CorruptFsException(problems.get(0));
            }
            return superblock;
        }
    }

    private SuperblockOpener() {
    }

    /** The validated primary superblock of {@code device}. */
    public static Superblock open(BlockDevice device, Policy policy) throws IOException {
        return inspect(device, Superblock.OFFSET, policy).orThrow();
    }

    /** The validated superblock copy at byte {@code offset} (a backup's: the first block of its group). */
    public static Superblock openAt(BlockDevice device, long offset, Policy policy) throws IOException {
        return inspect(device, offset, policy).orThrow();
    }

    /**
     * Reads the copy at byte {@code offset} and lists every problem that refuses it under {@code policy}. Throws only
     * for I/O errors; a device too small to hold the copy is a problem like any other.
     */
    public static Result inspect(BlockDevice device, long offset, Policy policy) throws IOException {
        List<String> problems = new ArrayList<>();
        int align = Math.max(1, device.alignment());
        int unit = Math.max(AlignedBuffers.PAGE, align);
        long start = offset / unit * unit;
        // a short device (a test image of a few KiB) is read in whole alignment units up to its end
        long len = Math.min(unit, (device.size() - start) / align * align);
        if (offset < 0 || offset % Superblock.SIZE != 0 || len < offset - start + Superblock.SIZE) {
            problems.add(offset == Superblock.OFFSET
                    ? "device of " + device.size() + " bytes is too small to hold a superblock"
                    : "no superblock copy can be at byte " + offset + " of a device of " + device.size() + " bytes");
            return new Result(null, problems);
        }
        ByteBuffer buf = AlignedBuffers.allocate((int) len, Integer.bitCount(align) == 1 ? unit : AlignedBuffers.PAGE);
        device.read(start, buf);
        byte[] raw = new byte[(int) len];
        buf.flip().get(raw);
        Superblock sb;
        try {
            sb = Superblock.decode(raw, (int) (offset - start));
        } catch (CorruptFsException e) {
            problems.add(e.detail());
            return new Result(null, problems);
        }
        problems.addAll(problems(sb, device.size(), align, policy));
        if (!problems.isEmpty() && policy != Policy.REPORT) {
            return new Result(sb, problems.subList(0, 1));
        }
        return new Result(sb, problems);
    }

    /**
     * Checks a superblock already decoded (a copy opened here, handed on) against {@code device} under
     * {@code policy}; throws the first problem. Cheap: no I/O.
     */
    public static void check(Superblock sb, BlockDevice device, Policy policy) throws CorruptFsException {
        List<String> found = problems(sb, device.size(), Math.max(1, device.alignment()), policy);
        if (!found.isEmpty()) {
            throw new CorruptFsException(found.get(0));
        }
    }

    /**
     * The checks of a decoded superblock that need the device and the policy, in order (later ones assume the
     * earlier geometry checks passed, so only the first geometry problem is listed).
     */
    static List<String> problems(Superblock sb, long deviceSize, int alignment, Policy policy) {
        List<String> out = new ArrayList<>();
        int bs = sb.blockSize();
        if (bs % alignment != 0) {
            out.add("block size " + bs + " is not a multiple of the device alignment " + alignment);
        }
        long deviceBlocks = deviceSize / bs;
        if (sb.blocksCount() > deviceBlocks) {
            out.add("the superblock says " + sb.blocksCount() + " blocks but the device holds " + deviceBlocks
                    + " (truncated image or wrong member?)");
        }
        int unknownRo = sb.featureRoCompat() & ~Features.RO_COMPAT_SUPPORTED;
        if (unknownRo != 0 && policy != Policy.READ_ONLY) {
            out.add(String.format("unsupported read-only-compatible features 0x%x", unknownRo));
        }
        String geometry = geometryProblem(sb);
        if (geometry != null) {
            out.add(geometry);
        }
        return out;
    }

    /** The first thing wrong with the layout the counts imply, or null. */
    private static String geometryProblem(Superblock sb) {
        int bs = sb.blockSize();
        if (sb.reservedGdtBlocks() > bs / 4) {
            return "superblock: " + sb.reservedGdtBlocks() + " reserved GDT blocks (max " + bs / 4 + ")";
        }
        Geometry geo = new Geometry(sb);
        long gdtBytes = geo.gdtBlocks() * bs;
        if (gdtBytes > MAX_GDT_BYTES || geo.superAndGdtBlocks(0) + 3 > geo.groupBlockCount(0)) {
            return "superblock: " + geo.groupCount() + " groups need a descriptor table of " + geo.gdtBlocks()
                    + " blocks, which does not fit in group 0";
        }
        if (geo.inodeTableBlocks() + 2 > geo.blocksPerGroup()) {
            return "superblock: inode table of " + geo.inodeTableBlocks() + " blocks does not fit in a group of "
                    + geo.blocksPerGroup();
        }
        return null;
    }
}
