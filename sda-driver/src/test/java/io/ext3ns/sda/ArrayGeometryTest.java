package io.ext3ns.sda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ArrayGeometryTest {
    private static final long LABEL = MemberLabel.DATA_OFFSET;

    record Part(int member, long memberOffset, int offsetInBlock, int length) {
    }

    private static List<Part> parts(ArrayGeometry g, long block) {
        List<Part> parts = new ArrayList<>();
        g.mapBlock(block, (m, off, in, len) -> parts.add(new Part(m, off, in, len)));
        return parts;
    }

    @Test
    void splitCutsEveryBlockOverAllMembers() {
        ArrayGeometry g = new ArrayGeometry(ArrayLayout.SPLIT, 4, 1 << 20, 1 << 18, LABEL, 10L << 18);
        assertEquals(List.of(new Part(0, LABEL + 7L * (1 << 18), 0, 1 << 18),
                new Part(1, LABEL + 7L * (1 << 18), 1 << 18, 1 << 18),
                new Part(2, LABEL + 7L * (1 << 18), 2 << 18, 1 << 18),
                new Part(3, LABEL + 7L * (1 << 18), 3 << 18, 1 << 18)), parts(g, 7));
        assertEquals(10, g.blockCount());
        assertEquals(10L << 20, g.size());
    }

    @Test
    void raid0PlacesWholeBlocksRoundRobin() {
        ArrayGeometry g = new ArrayGeometry(ArrayLayout.RAID0, 4, 1 << 20, 1 << 20, LABEL, 10L << 20);
        assertEquals(List.of(new Part(3, LABEL + (1L << 20), 0, 1 << 20)), parts(g, 7));
        assertEquals(List.of(new Part(0, LABEL + (2L << 20), 0, 1 << 20)), parts(g, 8));
        assertEquals(40, g.blockCount());
        assertEquals(40L << 20, g.size());
    }

    @Test
    void specRefusesPartsThatAreNotPageMultiples() {
        ArraySpec oneMiB = new ArraySpec(ArrayLayout.SPLIT, 1 << 20);
        assertEquals(1 << 18, oneMiB.partSize(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> oneMiB.partSize(3));
        assertEquals("layout split cannot cut a 1048576-byte block over 3 members into parts that are multiples of "
                + "4096 bytes", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ArraySpec(ArrayLayout.SPLIT, 8192).partSize(4));
        assertEquals(1 << 20, new ArraySpec(ArrayLayout.RAID0, 1 << 20).partSize(3));
        assertThrows(IllegalArgumentException.class, () -> new ArraySpec(ArrayLayout.RAID0, 3 << 20));
        assertEquals(ArrayLayout.RAID0, ArrayLayout.parse("RAID0"));
        assertThrows(IllegalArgumentException.class, () -> ArrayLayout.parse("raid5"));
    }
}
