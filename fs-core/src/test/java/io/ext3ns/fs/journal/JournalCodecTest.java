package io.ext3ns.fs.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.disk.CorruptFsException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JournalCodecTest {
    private static final UUID ID = UUID.fromString("6a1c0c5e-3f0b-4b8e-9d6e-0123456789ab");

    @Test
    void descriptorRoundTripsTagsFlagsAndUuid() throws Exception {
        List<DescriptorBlock.Tag> tags = List.of(new DescriptorBlock.Tag(7, false), new DescriptorBlock.Tag(9, true),
                new DescriptorBlock.Tag(0xFFFF_FFF0L, false));
        byte[] b = DescriptorBlock.encode(4096, 42, ID, tags);
        assertEquals(new BlockHeader(BlockHeader.DESCRIPTOR, 42), BlockHeader.read(b));
        assertEquals(ID, Uuids.get(b, BlockHeader.SIZE + DescriptorBlock.TAG_SIZE));
        assertEquals(DescriptorBlock.FLAG_SAME_UUID | DescriptorBlock.FLAG_ESCAPE, BigEndian.u16(b, 12 + 8 + 16 + 6));
        assertEquals(tags, DescriptorBlock.decode(b, blk -> { }));
        // Tag 3 carries LAST_TAG: garbage after it is not read.
        b[12 + 24 + 16 + 3] = 1;
        assertEquals(3, DescriptorBlock.decode(b, blk -> { }).size());
    }

    @Test
    void descriptorCapacityFillsTheBlockAndRejectsMore() throws Exception {
        int cap = DescriptorBlock.capacity(4096);
        assertEquals((4096 - 12 - 16) / 8, cap);
        List<DescriptorBlock.Tag> tags = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            tags.add(new DescriptorBlock.Tag(100 + i, false));
        }
        assertEquals(tags, DescriptorBlock.decode(DescriptorBlock.encode(4096, 1, ID, tags), blk -> { }));
        tags.add(new DescriptorBlock.Tag(1, false));
        assertThrows(IllegalArgumentException.class, () -> DescriptorBlock.encode(4096, 1, ID, tags));
    }

    @Test
    void descriptorTargetIsValidated() {
        byte[] b = DescriptorBlock.encode(4096, 1, ID, List.of(new DescriptorBlock.Tag(5, false)));
        CorruptFsException e = assertThrows(CorruptFsException.class, () -> DescriptorBlock.decode(b, blk -> {
            throw new CorruptFsException("block " + blk + " bad");
        }));
        assertTrue(e.getMessage().contains("block 5 bad"));
    }

    @Test
    void revokeRoundTripsAndValidatesItsCount() throws Exception {
        byte[] b = RevokeBlock.encode(4096, 3, List.of(10L, 20L, 30L));
        assertEquals(16 + 12, BigEndian.u32(b, 12));
        assertEquals(List.of(10L, 20L, 30L), RevokeBlock.decode(b));
        BigEndian.put32(b, 12, 4097);
        assertThrows(CorruptFsException.class, () -> RevokeBlock.decode(b));
        BigEndian.put32(b, 12, 18);
        assertThrows(CorruptFsException.class, () -> RevokeBlock.decode(b));
        BigEndian.put32(b, 12, 8);
        assertThrows(CorruptFsException.class, () -> RevokeBlock.decode(b));
    }

    @Test
    void commitBlockCarriesHeaderAndTime() {
        byte[] b = CommitBlock.encode(4096, 77, 1_700_000_000_123_456_789L);
        assertEquals(new BlockHeader(BlockHeader.COMMIT, 77), BlockHeader.read(b));
        assertEquals(1_700_000_000L, BigEndian.u32(b, 0x34));
        assertEquals(123_456_789L, BigEndian.u32(b, 0x38));
    }

    @Test
    void journalSuperblockAsMke2fsWritesItAndItsValidation() throws Exception {
        JournalSuperblock sb = JournalSuperblock.create(4096, 1024, ID);
        byte[] block = new byte[4096];
        System.arraycopy(sb.bytes(), 0, block, 0, JournalSuperblock.SIZE);
        JournalSuperblock back = JournalSuperblock.decode(block, 4096, 1024);
        assertEquals(1, back.first());
        assertEquals(1, back.sequence());
        assertFalse(back.hasLiveTransactions());
        assertEquals(ID, back.uuid());
        assertEquals(1, back.nrUsers());

        assertThrows(CorruptFsException.class, () -> JournalSuperblock.decode(block, 65536, 1024), "block size");
        assertThrows(CorruptFsException.class, () -> JournalSuperblock.decode(block, 4096, 1000), "longer than inode");
        byte[] badStart = block.clone();
        BigEndian.put32(badStart, 0x1C, 1024);
        assertThrows(CorruptFsException.class, () -> JournalSuperblock.decode(badStart, 4096, 1024));
        byte[] csum = block.clone();
        BigEndian.put32(csum, 0x28, JournalSuperblock.INCOMPAT_CSUM_V3);
        CorruptFsException e = assertThrows(CorruptFsException.class, () -> JournalSuperblock.decode(csum, 4096, 1024));
        assertTrue(e.getMessage().contains("unsupported features"));
        byte[] magic = block.clone();
        magic[0] = 0;
        assertThrows(CorruptFsException.class, () -> JournalSuperblock.decode(magic, 4096, 1024));
        byte[] shortLog = block.clone();
        BigEndian.put32(shortLog, 0x10, 1023);
        assertThrows(CorruptFsException.class, () -> JournalSuperblock.decode(shortLog, 4096, 1024));
    }

    @Test
    void transactionIdsCompareAcrossThe32BitWrap() {
        assertTrue(Tids.after(0, 0xFFFF_FFFFL));
        assertTrue(Tids.after(5, 3));
        assertFalse(Tids.after(3, 3));
        assertTrue(Tids.atOrAfter(3, 3));
        assertEquals(0, Tids.next(0xFFFF_FFFFL));
    }

    @Test
    void transactionCountsItsLogBlocksAndRevokeCancelsWrite() {
        JournalTransaction tx = new JournalTransaction(4096);
        for (int i = 0; i < 600; i++) {
            tx.write(1000 + i, new byte[4096]);
        }
        assertEquals(2 + 600 + 1, tx.logBlocks(0), "two descriptors, data, commit");
        assertEquals(1 + 2 + 600 + 1, tx.logBlocks(3));
        tx.revoke(1000);
        assertEquals(599, tx.blocks().size());
        tx.write(1000, new byte[4096]);
        assertTrue(tx.revoked().isEmpty(), "re-logging a block cancels its revoke");
        assertThrows(IllegalArgumentException.class, () -> tx.write(1, new byte[10]));
    }
}
