package io.ext3ns.sda;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberLabelTest {
    private static final MemberLabel LABEL = new MemberLabel(UUID.randomUUID(), 2, 4, ArrayLayout.SPLIT, 1 << 20,
            1 << 18, MemberLabel.DATA_OFFSET, 64L << 18, 1_700_000_000L);

    @Test
    void roundTrips() throws Exception {
        assertEquals(LABEL, MemberLabel.decode(LABEL.encode(), "m2"));
    }

    @Test
    void refusesMissingMagic() {
        ByteBuffer zeros = AlignedBuffers.allocate(MemberLabel.SIZE);
        assertMessage("m2: carries no EXT3NS array label", zeros);
    }

    @Test
    void refusesAnyFlippedBit() {
        ByteBuffer raw = LABEL.encode();
        raw.put(100, (byte) 1);
        assertMessage("m2: has a damaged array label (checksum mismatch)", raw);
    }

    @Test
    void refusesBadFieldsEvenWithAValidChecksum() {
        assertRefused(b -> b.putInt(8, 9), "unknown version 9");
        assertRefused(b -> b.putInt(12, 7), "unknown layout 7");
        assertRefused(b -> b.putInt(36, 0), "impossible geometry");
        assertRefused(b -> b.putInt(36, 1_000_000), "impossible geometry");
        assertRefused(b -> b.putInt(32, 4), "member index 4 outside 0..3");
        assertRefused(b -> b.putInt(40, 3 << 20), "impossible geometry");
        assertRefused(b -> b.putInt(44, 4096), "part size 4096 does not match");
        assertRefused(b -> b.putLong(48, 100), "bad data offset 100");
        assertRefused(b -> b.putLong(48, 1L << 40), "bad data offset");
        assertRefused(b -> b.putLong(56, -1), "bad member data size -1");
        assertRefused(b -> b.putLong(56, 12345), "bad member data size 12345");
        assertRefused(b -> b.putLong(56, Long.MAX_VALUE / (1 << 18) * (1 << 18)), "bad member data size");
    }

    @Test
    void randomDamageWithValidChecksumsNeverEscapesAsAnotherException() {
        SplittableRandom random = new SplittableRandom(42);
        int accepted = 0;
        for (int i = 0; i < 5000; i++) {
            ByteBuffer raw = LABEL.encode();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                raw.put(8 + random.nextInt(64), (byte) random.nextInt(256)); // fields after the magic
            }
            reforgeChecksum(raw);
            try {
                MemberLabel.decode(raw, "m2");
                accepted++;
            } catch (ArrayAssemblyException refused) {
                assertTrue(refused.getMessage().startsWith("m2: "), refused.getMessage());
            }
        }
        assertTrue(accepted < 5000, "some damage must be refused");
    }

    private static void reforgeChecksum(ByteBuffer raw) {
        CRC32C crc = new CRC32C();
        crc.update(raw.duplicate().clear().limit(MemberLabel.SIZE - 4));
        raw.order(ByteOrder.LITTLE_ENDIAN).putInt(MemberLabel.SIZE - 4, (int) crc.getValue());
    }

    /** Changes a field, fixes the checksum as a careful forger would, and expects the decoder to catch it. */
    private static void assertRefused(Consumer<ByteBuffer> damage, String expected) {
        ByteBuffer raw = LABEL.encode().order(ByteOrder.LITTLE_ENDIAN);
        damage.accept(raw);
        reforgeChecksum(raw);
        ArrayAssemblyException e = assertThrows(ArrayAssemblyException.class, () -> MemberLabel.decode(raw, "m2"));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals("m2", e.member());
    }

    private static void assertMessage(String expected, ByteBuffer raw) {
        ArrayAssemblyException e = assertThrows(ArrayAssemblyException.class, () -> MemberLabel.decode(raw, "m2"));
        assertEquals(expected, e.getMessage());
    }
}
