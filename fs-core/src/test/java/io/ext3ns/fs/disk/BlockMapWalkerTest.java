package io.ext3ns.fs.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-built maps of 1 KiB blocks (256 pointers a block): order, holes, bad pointers, loops, the lookup. */
class BlockMapWalkerTest {
    private static final int BS = 1024;
    private static final long PER = BS / 4;
    /** Blocks 1..9999 are inside the volume. */
    private static final Geometry GEO = new Geometry(BS, 1, 10_000, 8192, 256, 128, true, 0);

    private final Map<Long, byte[]> disk = new HashMap<>();
    private final List<Long> reads = new ArrayList<>();
    private final Inode inode = Inode.blank(128);
    private final BlockMapWalker walker = new BlockMapWalker(GEO, b -> {
        reads.add(b);
        byte[] block = disk.get(b);
        return block == null ? new byte[BS] : block.clone();
    });

    private void pointer(long block, int index, long to) {
        IndirectBlock.set(disk.computeIfAbsent(block, b -> new byte[BS]), index, to);
    }

    /** Records every callback as text, in order; bad pointers are recorded and not followed. */
    private final class Recorder implements BlockMapWalker.Visitor {
        final List<String> seen = new ArrayList<>();
        boolean followRepeated;

        @Override
        public boolean indirect(long physical, int level, long firstLogical) {
            seen.add("I" + level + "@" + physical + ">" + firstLogical);
            return true;
        }

        @Override
        public void data(long logical, long physical) {
            seen.add(logical + "=" + physical);
        }

        @Override
        public boolean bad(BlockMapWalker.Bad kind, long physical, int level, long firstLogical) {
            seen.add(kind + "@" + physical + "/" + level + ">" + firstLogical);
            return followRepeated;
        }
    }

    /** Direct blocks with a hole, a single indirect block with holes, a double indirect with one leaf. */
    private void buildTreeWithHoles() {
        inode.setBlock(0, 100);
        inode.setBlock(2, 102); // block 1 is a hole
        inode.setBlock(Inode.IND_BLOCK, 200);
        pointer(200, 0, 300);   // file block 12
        pointer(200, 255, 301); // file block 267
        inode.setBlock(Inode.DIND_BLOCK, 400);
        pointer(400, 3, 500);   // leaf mapping file blocks 12 + 256 + 3 * 256 ...
        pointer(500, 1, 600);
    }

    @Test
    void walksInLogicalOrderSkippingHoles() throws IOException {
        buildTreeWithHoles();
        Recorder r = new Recorder();
        walker.walk(inode, r);
        long dindFirst = 12 + PER;
        long leafFirst = dindFirst + 3 * PER;
        assertEquals(List.of("0=100", "2=102", "I1@200>12", "12=300", (12 + 255) + "=301",
                "I2@400>" + dindFirst, "I1@500>" + leafFirst, (leafFirst + 1) + "=600"), r.seen);
        assertEquals(List.of(200L, 400L, 500L), reads, "each indirect block read once");
    }

    @Test
    void runsGatherContiguousBlocksAndBreakAtHolesAndIndirectBlocks() throws IOException {
        for (int i = 0; i < 12; i++) {
            if (i != 5) {
                inode.setBlock(i, 100 + i); // 100..104, hole at 5, 106..111
            }
        }
        inode.setBlock(Inode.IND_BLOCK, 112); // the indirect block sits between the runs it separates
        pointer(112, 0, 113);
        pointer(112, 1, 114);
        pointer(112, 2, 700);
        List<String> runs = new ArrayList<>();
        walker.walkRuns(inode, (logical, physical, length) -> runs.add(logical + "@" + physical + "+" + length));
        assertEquals(List.of("0@100+5", "6@106+6", "12@113+2", "14@700+1"), runs);
    }

    @Test
    void resolveAgreesWithTheWalk() throws IOException {
        buildTreeWithHoles();
        BlockMapWalker.PointerSource ptrs = (b, i) -> disk.containsKey(b) ? IndirectBlock.get(disk.get(b), i) : 0;
        long leafFirst = 12 + PER + 3 * PER;
        assertEquals(100, walker.resolve(7, inode, 0, ptrs));
        assertEquals(0, walker.resolve(7, inode, 1, ptrs));
        assertEquals(301, walker.resolve(7, inode, 12 + 255, ptrs));
        assertEquals(600, walker.resolve(7, inode, leafFirst + 1, ptrs));
        assertEquals(0, walker.resolve(7, inode, leafFirst + 2, ptrs));
        assertEquals(0, walker.resolve(7, inode, walker.shape().treeCapacity(), ptrs), "beyond the tree: a hole");
        pointer(500, 2, 20_000);
        CorruptFsException e = assertThrows(CorruptFsException.class,
                () -> walker.resolve(7, inode, leafFirst + 2, ptrs));
        assertEquals("inode 7: block pointer 20000 outside the volume", e.detail());
    }

    @Test
    void badPointersGoToTheVisitorAndAreNotFollowed() throws IOException {
        inode.setBlock(1, 10_000);             // data pointer one past the end
        inode.setBlock(Inode.IND_BLOCK, 200);
        pointer(200, 0, 0xFFFF_FFFFL);         // data pointer far outside
        pointer(200, 1, 301);
        inode.setBlock(Inode.DIND_BLOCK, 50_000); // indirect pointer outside: never read
        Recorder r = new Recorder();
        walker.walk(inode, r);
        assertEquals(List.of("OUT_OF_RANGE@10000/0>1", "I1@200>12", "OUT_OF_RANGE@4294967295/0>12", "13=301",
                "OUT_OF_RANGE@50000/2>" + (12 + PER)), r.seen);
        assertEquals(List.of(200L), reads);
        // the default visitor refuses the map, naming the pointer
        CorruptFsException e = assertThrows(CorruptFsException.class, () -> walker.walk(inode,
                new BlockMapWalker.Visitor() {
                    @Override
                    public boolean indirect(long physical, int level, long firstLogical) {
                        return true;
                    }

                    @Override
                    public void data(long logical, long physical) {
                    }
                }));
        assertEquals("block map: file block 1 maps to block 10000, outside the volume", e.detail());
    }

    @Test
    void aLoopIsReportedOnceAndNotWalkedAgain() throws IOException {
        // a double indirect block whose entries point at itself and twice at the same leaf
        inode.setBlock(Inode.DIND_BLOCK, 400);
        pointer(400, 0, 500);
        pointer(400, 1, 400);
        pointer(400, 2, 500);
        pointer(500, 0, 600);
        long first = 12 + PER;
        Recorder r = new Recorder();
        walker.walk(inode, r);
        assertEquals(List.of("I2@400>" + first, "I1@500>" + first, first + "=600",
                "REPEATED_INDIRECT@400/1>" + (first + PER), "REPEATED_INDIRECT@500/1>" + (first + 2 * PER)), r.seen);
        assertEquals(List.of(400L, 500L), reads, "no block read twice");
        // fsck's choice: walk a repeated block anyway (it claims it again and reports the duplicate)
        pointer(400, 1, 0);
        Recorder again = new Recorder();
        again.followRepeated = true;
        walker.walk(inode, again);
        long third = first + 2 * PER;
        assertEquals(List.of("I2@400>" + first, "I1@500>" + first, first + "=600",
                "REPEATED_INDIRECT@500/1>" + third, "I1@500>" + third, third + "=600"), again.seen);
        // the default visitor refuses the map
        pointer(400, 1, 400);
        CorruptFsException e = assertThrows(CorruptFsException.class, () -> walker.walk(inode,
                new BlockMapWalker.Visitor() {
                    @Override
                    public boolean indirect(long physical, int level, long firstLogical) {
                        return true;
                    }

                    @Override
                    public void data(long logical, long physical) {
                    }
                }));
        assertTrue(e.detail().contains("indirect block 400 (level 1, file blocks from " + (first + PER)
                + ") appears twice"), e.detail());
    }
}
