package io.ext3ns.tools;

import io.ext3ns.fs.disk.Bitmap;
import io.ext3ns.fs.disk.BlockMapShape;
import io.ext3ns.fs.disk.Features;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.inspect.VolumeReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The text dump.ext3ns prints: dumpe2fs -h's fields and names, then one summary line per group. */
final class VolumeDump {
    private VolumeDump() {
    }

    static void header(Superblock sb, PrintStream out) {
        row(out, "Filesystem volume name", sb.volumeName().isEmpty() ? "<none>" : sb.volumeName());
        row(out, "Last mounted on", sb.lastMounted().isEmpty() ? "<not available>" : sb.lastMounted());
        row(out, "Filesystem UUID", sb.uuid().toString());
        row(out, "Filesystem magic number", String.format("0x%04X", sb.magic()));
        row(out, "Filesystem revision #", sb.revLevel() + (sb.revLevel() == 1 ? " (dynamic)" : ""));
        row(out, "Filesystem features", features(sb));
        row(out, "Filesystem state", (sb.state() & Superblock.STATE_VALID) != 0 ? "clean" : "not clean");
        row(out, "Inode count", sb.inodesCount());
        row(out, "Block count", sb.blocksCount());
        row(out, "Reserved block count", sb.reservedBlocksCount());
        row(out, "Free blocks", sb.freeBlocksCount());
        row(out, "Free inodes", sb.freeInodesCount());
        row(out, "First block", sb.firstDataBlock());
        row(out, "Block size", sb.blockSize());
        row(out, "Blocks per group", sb.blocksPerGroup());
        row(out, "Inodes per group", sb.inodesPerGroup());
        row(out, "Inode blocks per group", new Geometry(sb).inodeTableBlocks());
        row(out, "Reserved GDT blocks", sb.reservedGdtBlocks());
        row(out, "Filesystem created", time(sb.mkfsTime()));
        row(out, "Last mount time", sb.mountTime() == 0 ? "n/a" : time(sb.mountTime()));
        row(out, "Last write time", time(sb.writeTime()));
        row(out, "Mount count", sb.mountCount());
        row(out, "Maximum mount count", sb.maxMountCount());
        row(out, "Last checked", time(sb.lastCheck()));
        row(out, "First inode", sb.firstIno());
        row(out, "Inode size", sb.inodeSize());
        if (sb.hasCompat(Features.COMPAT_HAS_JOURNAL)) {
            row(out, "Journal inode", sb.journalInum());
        }
        long largest = new BlockMapShape(sb.blockSize()).maxFileSize();
        row(out, "Largest file", String.format("%d bytes (%.2f TiB)", largest, largest / (double) (1L << 40)));
    }

    /** One block per group, as dumpe2fs without -h: metadata positions, counts, and the free ranges the bitmaps show. */
    static void groups(VolumeReader volume, PrintStream out) throws IOException {
        Geometry geo = volume.geometry();
        for (int g = 0; g < volume.groupCount(); g++) {
            GroupDescriptor gd = volume.descriptor(g);
            long first = geo.groupFirstBlock(g);
            int size = (int) geo.groupBlockCount(g);
            out.printf("Group %d: (Blocks %d-%d)%s%n", g, first, first + size - 1,
                    geo.hasSuperBackup(g) ? (g == 0 ? " primary superblock" : " superblock backup") : "");
            out.printf("  Block bitmap at %d, Inode bitmap at %d, Inode table at %d-%d%n", gd.blockBitmap(),
                    gd.inodeBitmap(), gd.inodeTable(), gd.inodeTable() + geo.inodeTableBlocks() - 1);
            out.printf("  %d free blocks, %d free inodes, %d directories%n", gd.freeBlocks(), gd.freeInodes(),
                    gd.usedDirs());
            out.println("  Free blocks: " + freeRanges(new Bitmap(volume.readBlock(gd.blockBitmap())), size, first));
            int ipg = (int) geo.inodesPerGroup();
            out.println("  Free inodes: " + freeRanges(new Bitmap(volume.readBlock(gd.inodeBitmap())), ipg,
                    (long) g * ipg + 1));
        }
    }

    /** "a-b, c, d-e": the clear bits among the first {@code items}, numbered from {@code base}. */
    static String freeRanges(Bitmap bits, int items, long base) {
        StringBuilder out = new StringBuilder();
        int i = bits.nextClear(0, items);
        while (i >= 0) {
            int end = bits.nextSet(i, items);
            int last = (end < 0 ? items : end) - 1;
            out.append(out.length() == 0 ? "" : ", ").append(base + i);
            if (last > i) {
                out.append('-').append(base + last);
            }
            i = end < 0 ? -1 : bits.nextClear(end, items);
        }
        return out.toString();
    }

    private static String features(Superblock sb) {
        List<String> f = new ArrayList<>();
        add(f, sb.hasCompat(Features.COMPAT_HAS_JOURNAL), "has_journal");
        add(f, sb.hasCompat(Features.COMPAT_EXT_ATTR), "ext_attr");
        add(f, sb.hasCompat(Features.COMPAT_RESIZE_INODE), "resize_inode");
        add(f, sb.hasCompat(Features.COMPAT_DIR_INDEX), "dir_index");
        add(f, sb.hasIncompat(Features.INCOMPAT_FILETYPE), "filetype");
        add(f, sb.hasIncompat(Features.INCOMPAT_RECOVER), "needs_recovery");
        add(f, sb.hasRoCompat(Features.RO_COMPAT_SPARSE_SUPER), "sparse_super");
        add(f, sb.hasRoCompat(Features.RO_COMPAT_LARGE_FILE), "large_file");
        return f.isEmpty() ? "(none)" : String.join(" ", f);
    }

    private static void add(List<String> f, boolean on, String name) {
        if (on) {
            f.add(name);
        }
    }

    private static String time(long epoch) {
        return Instant.ofEpochSecond(epoch).toString();
    }

    private static void row(PrintStream out, String name, Object value) {
        out.printf("%-26s%s%n", name + ":", value);
    }
}
