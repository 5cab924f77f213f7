package io.ext3ns.sda;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a member list can be wrong is refused with a message naming the member, and nothing is written. */
class AssemblyRefusalTest {
    private static final ArraySpec SPEC = new ArraySpec(ArrayLayout.SPLIT, 64 << 10);
    private static final long MEMBER_SIZE = 8L << 20;

    @TempDir
    Path dir;
    private List<Path> members;

    @BeforeEach
    void fourMemberArray() throws IOException {
        members = TestMembers.sparseFiles(dir, 4, MEMBER_SIZE);
        try (StreamDiskArray array = BlockDevices.create(members, SPEC)) {
            array.write(0, TestMembers.pattern(1, 4 * SPEC.blockSize()));
        }
    }

    /** Opens {@code given}, expects a refusal naming {@code member} and containing {@code text}, and no writes. */
    private void assertRefused(List<Path> given, String member, String text) throws IOException {
        List<Integer> before = TestMembers.fingerprints(given);
        ArrayAssemblyException e = assertThrows(ArrayAssemblyException.class,
                () -> BlockDevices.open(given, false).close());
        assertEquals(member, e.member(), e.getMessage());
        assertTrue(e.getMessage().startsWith(member + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(text), e.getMessage());
        assertEquals(before, TestMembers.fingerprints(given), "a refused assembly wrote to a member");
    }

    @Test
    void missingMember() throws IOException {
        assertRefused(List.of(members.get(0), members.get(1), members.get(3)), "member 2",
                "missing: array " + arrayId() + " has 4 members, 3 were given (missing member indexes [2])");
    }

    @Test
    void foreignMember() throws IOException {
        List<Path> other = TestMembers.sparseFiles(Files.createDirectory(dir.resolve("other")), 4, MEMBER_SIZE);
        BlockDevices.create(other, SPEC).close();
        List<Path> mixed = new ArrayList<>(members);
        mixed.set(2, other.get(2));
        assertRefused(mixed, other.get(2).toString(), "is a foreign member: it belongs to array");
    }

    @Test
    void wrongOrder() throws IOException {
        List<Path> swapped = List.of(members.get(0), members.get(2), members.get(1), members.get(3));
        assertRefused(swapped, members.get(2).toString(), "wrong order: it is member 2 of array " + arrayId()
                + " but was given at position 1");
    }

    @Test
    void sizeMismatch() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(members.get(3).toFile(), "rw")) {
            f.setLength(MEMBER_SIZE - (1 << 20));
        }
        assertRefused(members, members.get(3).toString(), "size mismatch: the member is " + (MEMBER_SIZE - (1 << 20))
                + " bytes but array " + arrayId() + " needs " + MEMBER_SIZE);
    }

    @Test
    void unlabelledMember() throws IOException {
        Path blank = TestMembers.sparseFiles(Files.createDirectory(dir.resolve("blank")), 1, MEMBER_SIZE).get(0);
        List<Path> mixed = new ArrayList<>(members);
        mixed.set(1, blank);
        assertRefused(mixed, blank.toString(), "carries no EXT3NS array label");
    }

    @Test
    void damagedLabel() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(members.get(1).toFile(), "rw")) {
            f.seek(40);
            f.write(0x7f);
        }
        assertRefused(members, members.get(1).toString(), "damaged array label (checksum mismatch)");
    }

    @Test
    void extraAndDuplicatedMembers() throws IOException {
        List<Path> twice = List.of(members.get(0), members.get(1), members.get(1), members.get(3));
        assertRefused(twice, members.get(1).toString(), "is given twice (also at position 1");
        List<Path> onlyTwo = TestMembers.sparseFiles(Files.createDirectory(dir.resolve("pair")), 2, MEMBER_SIZE);
        BlockDevices.create(onlyTwo, SPEC).close();
        List<Path> withExtra = new ArrayList<>(onlyTwo);
        withExtra.add(members.get(2));
        assertRefused(withExtra, members.get(2).toString(), "is a foreign member");
    }

    @Test
    void creationRefusesUnsuitableMembersBeforeWriting() throws IOException {
        Path tiny = dir.resolve("tiny");
        try (RandomAccessFile f = new RandomAccessFile(tiny.toFile(), "rw")) {
            f.setLength(1 << 20);
        }
        List<Path> withTiny = List.of(members.get(0), tiny);
        List<Integer> before = TestMembers.fingerprints(withTiny);
        ArrayAssemblyException e = assertThrows(ArrayAssemblyException.class,
                () -> BlockDevices.create(withTiny, SPEC));
        assertEquals(tiny + ": is too small (1048576 bytes): an array member needs at least 1081344", e.getMessage());
        assertEquals(before, TestMembers.fingerprints(withTiny));
        assertThrows(IllegalArgumentException.class, () -> BlockDevices.create(members.subList(0, 3),
                new ArraySpec(ArrayLayout.SPLIT, 1 << 20)));
    }

    private String arrayId() throws IOException {
        try (RawMember m = RawMember.open(members.get(0), OpenOptions.READ_ONLY)) {
            return ArrayAssembler.readLabel(m).arrayId().toString();
        }
    }
}
