package io.ext3ns.fs.check;

import io.ext3ns.fs.disk.DirectoryBlock;
import io.ext3ns.fs.disk.Geometry;
import io.ext3ns.fs.disk.GroupDescriptor;
import io.ext3ns.fs.disk.Superblock;
import io.ext3ns.fs.inspect.VolumeReader;
import io.ext3ns.sda.FileMember;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded metadata mutants of one small ext3 image: single-field changes (superblock, group descriptors, inodes,
 * directory entries, journal superblock) and short random-byte runs in metadata blocks (superblock, descriptors,
 * bitmaps, inode table, directories, journal superblock). A mutant is a list of patches over the base image, written
 * out as a sparse file, so a thousand of them cost little I/O.
 */
final class MutantImages {
    /** One change: {@code bytes} written at byte {@code offset}, described for the failure message. */
    record Patch(long offset, byte[] bytes) {
    }

    record Mutant(long seed, String description, List<Patch> patches) {
    }

    private static final int[][] SUPERBLOCK_FIELDS = {
        {0x00, 4}, {0x04, 4}, {0x08, 4}, {0x0C, 4}, {0x10, 4}, {0x14, 4}, {0x18, 4}, {0x1C, 4}, {0x20, 4},
        {0x24, 4}, {0x28, 4}, {0x34, 2}, {0x36, 2}, {0x38, 2}, {0x3A, 2}, {0x3C, 2}, {0x4C, 4}, {0x54, 4},
        {0x58, 2}, {0x5A, 2}, {0x5C, 4}, {0x60, 4}, {0x64, 4}, {0xCE, 2}, {0xD0, 4}, {0xE0, 4}, {0xE8, 4},
        {0xFE, 2},
    };
    private static final int[][] DESCRIPTOR_FIELDS = {{0, 4}, {4, 4}, {8, 4}, {0x0C, 2}, {0x0E, 2}, {0x10, 2},
        {0x12, 2}};
    private static final int[][] INODE_FIELDS = {{0x00, 2}, {0x02, 2}, {0x04, 4}, {0x14, 4}, {0x18, 2}, {0x1A, 2},
        {0x1C, 4}, {0x20, 4}, {0x28, 4}, {0x2C, 4}, {0x30, 4}, {0x54, 4}, {0x58, 4}, {0x5C, 4}, {0x60, 4},
        {0x68, 4}, {0x6C, 4}, {0x70, 4}};
    private static final int[][] ENTRY_FIELDS = {{0, 4}, {4, 2}, {6, 1}, {7, 1}, {8, 1}, {9, 1}};
    private static final int[][] JOURNAL_FIELDS = {{0x00, 4}, {0x04, 4}, {0x0C, 4}, {0x10, 4}, {0x14, 4},
        {0x18, 4}, {0x1C, 4}, {0x20, 4}, {0x24, 4}, {0x28, 4}, {0x2C, 4}, {0x40, 4}};

    private final byte[] base;
    private final int bs;
    private final int inodeSize;
    private final long superblock = Superblock.OFFSET;
    private final long gdt;
    private final int groups;
    private final List<Long> bitmaps = new ArrayList<>();
    private final List<Long> inodeTableFirstBlocks = new ArrayList<>();
    private final long[] inodesToMutate;
    private final long[] inodeOffsets;
    private final List<Long> dirBlocks = new ArrayList<>();
    private final long journalSuperblock;
    /** The base image's non-zero blocks (only they are written for a mutant). */
    private final List<Integer> dataBlocks = new ArrayList<>();

    MutantImages(Path image, String... directories) throws IOException {
        this.base = Files.readAllBytes(image);
        try (FileMember dev = new FileMember(image, true)) {
            VolumeReader v = VolumeReader.open(dev);
            Geometry geo = v.geometry();
            this.bs = geo.blockSize();
            this.inodeSize = geo.inodeSize();
            this.gdt = geo.gdtFirstBlock(0) * bs;
            this.groups = v.groupCount();
            for (int g = 0; g < groups; g++) {
                GroupDescriptor d = v.descriptor(g);
                bitmaps.add(d.blockBitmap() * bs);
                bitmaps.add(d.inodeBitmap() * bs);
                inodeTableFirstBlocks.add(d.inodeTable() * bs);
            }
            // the reserved and first user inodes of group 0, and one unused inode
            long firstUnused = v.superblock().inodesCount() - v.superblock().freeInodesCount() + 1;
            this.inodesToMutate = new long[] {2, 7, 8, 11, 12, 13, 14, firstUnused};
            this.inodeOffsets = new long[inodesToMutate.length];
            for (int i = 0; i < inodesToMutate.length; i++) {
                long ino = inodesToMutate[i];
                inodeOffsets[i] = v.descriptor(geo.groupOfInode(ino)).inodeTable() * bs
                        + geo.indexInGroup(ino) * inodeSize;
            }
            for (String d : directories) {
                long ino = v.lookup(d);
                for (long[] lp : v.dataBlocks(ino, v.readInode(ino))) {
                    dirBlocks.add(lp[1] * bs);
                }
            }
            long journal = v.superblock().journalInum();
            this.journalSuperblock = v.dataBlocks(journal, v.readInode(journal)).get(0)[1] * bs;
        }
        for (int b = 0; b < base.length / bs; b++) {
            if (!SparseCopy.allZero(ByteBuffer.wrap(base, b * bs, bs))) {
                dataBlocks.add(b);
            }
        }
    }

    int blockSize() {
        return bs;
    }

    /** Mutant number {@code seed}: half single-field changes, half random-byte runs. */
    Mutant mutant(long seed) {
        Random rnd = new Random(seed);
        return rnd.nextBoolean() ? fieldMutant(seed, rnd) : byteMutant(seed, rnd);
    }

    private Mutant fieldMutant(long seed, Random rnd) {
        int kind = rnd.nextInt(5);
        long at;
        int[] field;
        String what;
        switch (kind) {
            case 0 -> {
                field = pick(rnd, SUPERBLOCK_FIELDS);
                at = superblock + field[0];
                what = String.format("superblock field 0x%x", field[0]);
            }
            case 1 -> {
                field = pick(rnd, DESCRIPTOR_FIELDS);
                int g = rnd.nextInt(groups);
                at = gdt + g * GroupDescriptor.SIZE + field[0];
                what = String.format("group %d descriptor field 0x%x", g, field[0]);
            }
            case 2 -> {
                field = pick(rnd, INODE_FIELDS);
                int i = rnd.nextInt(inodesToMutate.length);
                at = inodeOffsets[i] + field[0];
                what = String.format("inode %d field 0x%x", inodesToMutate[i], field[0]);
            }
            case 3 -> {
                field = pick(rnd, ENTRY_FIELDS);
                long block = dirBlocks.get(rnd.nextInt(dirBlocks.size()));
                List<DirectoryBlock.Entry> entries = entries(block);
                DirectoryBlock.Entry e = entries.get(rnd.nextInt(entries.size()));
                at = block + e.offset() + field[0];
                what = String.format("directory entry '%s' at block %d+%d field %d", e.nameString(), block / bs,
                        e.offset(), field[0]);
            }
            default -> {
                field = pick(rnd, JOURNAL_FIELDS);
                at = journalSuperblock + field[0];
                what = String.format("journal superblock field 0x%x", field[0]);
            }
        }
        byte[] value = value(rnd, at, field[1]);
        return new Mutant(seed, what + " := " + hex(value), List.of(new Patch(at, value)));
    }

    /** 0, all ones, old ± 1 (little-endian), one flipped bit, or random. */
    private byte[] value(Random rnd, long at, int width) {
        byte[] old = java.util.Arrays.copyOfRange(base, (int) at, (int) at + width);
        byte[] v = old.clone();
        switch (rnd.nextInt(6)) {
            case 0 -> java.util.Arrays.fill(v, (byte) 0);
            case 1 -> java.util.Arrays.fill(v, (byte) 0xFF);
            case 2 -> add(v, 1);
            case 3 -> add(v, -1);
            case 4 -> v[rnd.nextInt(width)] ^= (byte) (1 << rnd.nextInt(8));
            default -> rnd.nextBytes(v);
        }
        if (java.util.Arrays.equals(v, old)) {
            v[0] ^= 1; // a mutant always changes something
        }
        return v;
    }

    private static void add(byte[] v, int delta) {
        long x = 0;
        for (int i = v.length - 1; i >= 0; i--) {
            x = x << 8 | (v[i] & 0xFF);
        }
        x += delta;
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (x >>> (8 * i));
        }
    }

    private Mutant byteMutant(long seed, Random rnd) {
        List<Patch> patches = new ArrayList<>();
        StringBuilder what = new StringBuilder("random bytes");
        for (int n = 1 + rnd.nextInt(3); n > 0; n--) {
            long start;
            int span;
            String where;
            switch (rnd.nextInt(6)) {
                case 0 -> { start = superblock; span = 0x170; where = "superblock"; }
                case 1 -> { start = gdt; span = groups * GroupDescriptor.SIZE; where = "descriptors"; }
                case 2 -> { start = bitmaps.get(rnd.nextInt(bitmaps.size())); span = bs; where = "bitmap"; }
                case 3 -> {
                    start = inodeTableFirstBlocks.get(0);
                    span = 16 * inodeSize;
                    where = "inode table";
                }
                case 4 -> { start = dirBlocks.get(rnd.nextInt(dirBlocks.size())); span = 256; where = "directory"; }
                default -> { start = journalSuperblock; span = 0x50; where = "journal superblock"; }
            }
            long at = start + rnd.nextInt(span);
            byte[] junk = new byte[1 + rnd.nextInt(4)];
            rnd.nextBytes(junk);
            patches.add(new Patch(at, junk));
            what.append(String.format(" %s+%d=%s", where, at - start, hex(junk)));
        }
        return new Mutant(seed, what.toString(), patches);
    }

    /** Writes the mutant as a sparse image at {@code path}. */
    void write(Mutant m, Path path) throws IOException {
        Files.deleteIfExists(path);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), base.length - 1L); // the full length first
            for (int b : dataBlocks) {
                ch.write(ByteBuffer.wrap(base, b * bs, bs), (long) b * bs);
            }
            for (Patch p : m.patches()) {
                ch.write(ByteBuffer.wrap(p.bytes()), p.offset());
            }
        }
    }

    private List<DirectoryBlock.Entry> entries(long blockOffset) {
        byte[] block = java.util.Arrays.copyOfRange(base, (int) blockOffset, (int) blockOffset + bs);
        try {
            return new DirectoryBlock(block).entries("base");
        } catch (IOException e) {
            throw new IllegalStateException("the base image's directories are sound", e);
        }
    }

    private static int[] pick(Random rnd, int[][] fields) {
        return fields[rnd.nextInt(fields.length)];
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
