package io.ext3ns.fs.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ext_attr codec on its own: blocks and in-inode regions round-trip in ext3's layout, and every malformed field
 * (magic, h_blocks, an entry or name past the region, a value past it or over the entry table or another value, a
 * value inode, no terminator) is refused as corruption; random damage never gives any other exception.
 */
class ExtendedAttributesCodecTest {
    private static XattrEntry entry(int index, String name, String value) {
        return new XattrEntry(index, name.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private static final List<XattrEntry> SAMPLE = List.of(entry(1, "zeta", "last"), entry(4, "t", "trusted"),
            entry(1, "a", ""), entry(1, "ab", "x".repeat(1000)), entry(6, "selinux", "label"));

    private static void assertSameEntries(List<XattrEntry> want, List<XattrEntry> got) {
        assertEquals(want.size(), got.size());
        for (int i = 0; i < want.size(); i++) {
            assertEquals(want.get(i).index(), got.get(i).index());
            assertArrayEquals(want.get(i).name(), got.get(i).name());
            assertArrayEquals(want.get(i).value(), got.get(i).value());
        }
    }

    @Test
    void blockRoundTripsSortedWithHashesAndRefcount() throws Exception {
        byte[] b = ExtendedAttributes.encodeBlock(SAMPLE, 4096, 3);
        ExtendedAttributes.BlockHeader h = ExtendedAttributes.header(b);
        assertEquals(ExtendedAttributes.MAGIC, h.magic());
        assertEquals(3, h.refcount());
        assertEquals(1, h.blocks());
        List<XattrEntry> got = ExtendedAttributes.decodeBlock(b, "test");
        List<XattrEntry> sorted = new ArrayList<>(SAMPLE);
        sorted.sort(XattrEntry::compare);
        assertSameEntries(sorted, got);
        assertEquals("a", new String(got.get(0).name(), StandardCharsets.UTF_8), "index, then name length, then name");
        int[] hashes = got.stream().mapToInt(XattrEntry::storedHash).toArray();
        for (int i = 0; i < got.size(); i++) {
            assertEquals(ExtendedAttributes.entryHash(got.get(i).name(), got.get(i).value()), hashes[i]);
        }
        assertEquals(ExtendedAttributes.blockHash(hashes), h.hash());
    }

    @Test
    void hashesFollowTheKernelsDefinition() {
        // name "a" (0x61), value "b" padded to one word 0x00000062: (0x61 << 16) ^ 0x62
        assertEquals((0x61 << 16) ^ 0x62, ExtendedAttributes.entryHash("a".getBytes(), "b".getBytes()));
        byte[] high = {(byte) 0xE9};
        assertNotEquals(ExtendedAttributes.entryHash(high, new byte[0]),
                ExtendedAttributes.entryHashSigned(high, new byte[0]), "bytes above 0x7f differ as signed chars");
        assertEquals(0, ExtendedAttributes.blockHash(new int[] {5, 0, 7}), "an entry hash of 0 makes the block's 0");
    }

    @Test
    void tooMuchForTheRegionIsRefusedNotTruncated() {
        assertNull(ExtendedAttributes.encodeBlock(List.of(entry(1, "v", "y".repeat(4096))), 4096, 1));
        byte[] inode = new byte[256];
        inode[0x80] = 32;
        assertEquals(256 - 128 - 32 - 4, ExtendedAttributes.inInodeCapacity(256, 32));
        assertTrue(!ExtendedAttributes.encodeInInode(List.of(entry(1, "v", "y".repeat(80))), inode, 32));
        assertArrayEquals(new byte[256 - 160], java.util.Arrays.copyOfRange(inode, 160, 256), "unchanged");
        // in a 1 MiB block values live in the first 64 KiB (e_value_offs is 16 bits)
        assertNull(ExtendedAttributes.encodeBlock(List.of(entry(1, "v", "y".repeat(65500))), 1 << 20, 1));
        assertTrue(ExtendedAttributes.encodeBlock(List.of(entry(1, "v", "y".repeat(65400))), 1 << 20, 1) != null);
    }

    @Test
    void inInodeRegionRoundTripsWithOffsetsFromTheFirstEntry() throws Exception {
        byte[] inode = new byte[256];
        List<XattrEntry> two = List.of(entry(1, "colour", "blue"), entry(4, "t", "ab"));
        assertTrue(ExtendedAttributes.encodeInInode(two, inode, 32));
        assertEquals(ExtendedAttributes.MAGIC, ByteBuffer.wrap(inode).order(ByteOrder.LITTLE_ENDIAN).getInt(160));
        int firstValueOffs = ByteBuffer.wrap(inode).order(ByteOrder.LITTLE_ENDIAN).getShort(164 + 2);
        assertEquals(256 - 164 - 4, firstValueOffs, "the first value ends the inode; offsets count from byte 164");
        assertSameEntries(two, ExtendedAttributes.decodeInInode(inode, 32, "test"));
        assertTrue(ExtendedAttributes.encodeInInode(List.of(), inode, 32));
        assertEquals(List.of(), ExtendedAttributes.decodeInInode(inode, 32, "test"));
        assertEquals(List.of(), ExtendedAttributes.decodeInInode(new byte[128], 0, "small inode"));
    }

    private static byte[] sampleBlock() {
        return ExtendedAttributes.encodeBlock(List.of(entry(1, "one", "1111"), entry(1, "two", "2222")), 1024, 1);
    }

    private static void put16(byte[] b, int off, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(off, (short) v);
    }

    private static void put32(byte[] b, int off, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(off, v);
    }

    private static void assertCorrupt(byte[] b, String why) {
        assertThrows(CorruptFsException.class, () -> ExtendedAttributes.decodeBlock(b, "test"), why);
    }

    @Test
    void everyMalformedFieldIsCorruption() {
        byte[] b = sampleBlock();
        put32(b, 0, 0x12345678);
        assertCorrupt(b, "magic");
        b = sampleBlock();
        put32(b, 8, 2);
        assertCorrupt(b, "h_blocks");
        b = sampleBlock();
        put32(b, 4, 0);
        assertCorrupt(b, "h_refcount 0");
        b = sampleBlock();
        put32(b, 32 + 4, 12);
        assertCorrupt(b, "value in an inode (ea_inode)");
        b = sampleBlock();
        put16(b, 32 + 2, 1022);
        assertCorrupt(b, "value past the block");
        b = sampleBlock();
        put16(b, 32 + 2, 36);
        assertCorrupt(b, "value over the entry table");
        b = sampleBlock();
        int second = 32 + ExtendedAttributes.entryLen(3);
        put16(b, second + 2, ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(32 + 2) + 2);
        assertCorrupt(b, "values overlapping");
        b = sampleBlock();
        put32(b, 32 + 8, 1 << 30);
        assertCorrupt(b, "value size larger than the block");
        byte[] small = ExtendedAttributes.encodeBlock(List.of(entry(1, "one", "1111")), 256, 1);
        small[32] = (byte) 255;
        assertCorrupt(small, "name past the region");
        byte[] noEnd = new byte[64];
        put32(noEnd, 0, ExtendedAttributes.MAGIC);
        put32(noEnd, 4, 1);
        put32(noEnd, 8, 1);
        for (int p = 32; p < 64; p += 16) {
            noEnd[p + 1] = 1; // user., empty name and value: a non-zero first word, so never the terminator
        }
        assertCorrupt(noEnd, "no terminating zero word");
    }

    @Test
    void randomDamageIsCorruptionOrAValidReadNeverAnotherException() {
        Random r = new Random(7);
        byte[] good = ExtendedAttributes.encodeBlock(SAMPLE, 4096, 1);
        for (int i = 0; i < 3000; i++) {
            byte[] b = good.clone();
            for (int k = 0; k < 1 + r.nextInt(4); k++) {
                b[32 + r.nextInt(200)] = (byte) r.nextInt(256);
            }
            try {
                ExtendedAttributes.decodeBlock(b, "fuzz");
            } catch (CorruptFsException expected) {
                // refused: fine
            }
        }
    }

    @Test
    void aclConvertsBetweenTheVfsFormAndExt3sCompactForm() throws Exception {
        ByteBuffer x = ByteBuffer.allocate(4 + 5 * 8).order(ByteOrder.LITTLE_ENDIAN).putInt(2);
        int[][] entries = {{1, 6, -1}, {2, 4, 1000}, {4, 4, -1}, {0x10, 4, -1}, {0x20, 0, -1}};
        for (int[] e : entries) {
            x.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
        }
        byte[] xattr = x.array();
        byte[] disk = ExtAcl.fromXattr(xattr);
        assertEquals(4 + 4 + 8 + 4 + 4 + 4, disk.length, "short entries without an id, 8 bytes for USER");
        assertEquals(1, ByteBuffer.wrap(disk).order(ByteOrder.LITTLE_ENDIAN).getInt(0), "version 1 on disk");
        assertArrayEquals(xattr, ExtAcl.toXattr(disk, "test"));
        assertThrows(CorruptFsException.class, () -> ExtAcl.toXattr(java.util.Arrays.copyOf(disk, disk.length - 2),
                "cut"));
        byte[] badTag = disk.clone();
        put16(badTag, 4, 0x40);
        assertThrows(CorruptFsException.class, () -> ExtAcl.toXattr(badTag, "tag"));
        assertThrows(io.ext3ns.fs.api.FsException.class, () -> ExtAcl.fromXattr(new byte[] {2, 0, 0, 0, 1}));
    }
}
