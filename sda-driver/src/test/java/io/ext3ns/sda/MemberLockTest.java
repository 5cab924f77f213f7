package io.ext3ns.sda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** An exclusive open refuses a second mount of the same member, in this process or another. */
class MemberLockTest {
    private static final ArraySpec SPEC = new ArraySpec(ArrayLayout.RAID0, 64 << 10);

    @TempDir
    Path dir;

    @Test
    void secondExclusiveOpenIsRefusedUntilTheFirstCloses() throws Exception {
        List<Path> members = TestMembers.sparseFiles(dir, 2, 4L << 20);
        BlockDevices.create(members, SPEC).close();
        OpenOptions exclusive = OpenOptions.READ_WRITE.exclusively();
        try (BlockDevice first = BlockDevices.open(members, exclusive)) {
            IOException e = assertThrows(IOException.class, () -> BlockDevices.open(members, exclusive));
            assertEquals(members.get(0) + " is in use by another EXT3NS mount or tool (it is locked); unmount or "
                    + "stop it first", e.getMessage());
            assertThrows(IOException.class, () -> BlockDevices.open(members, OpenOptions.READ_ONLY.exclusively()));
            assertEquals(1, flockFromAnotherProcess(members.get(1)), "flock(1) must see the lock");
        }
        assertEquals(0, flockFromAnotherProcess(members.get(1)));
        try (BlockDevice a = BlockDevices.open(members, OpenOptions.READ_ONLY.exclusively());
             BlockDevice b = BlockDevices.open(members, OpenOptions.READ_ONLY.exclusively())) {
            assertEquals(a.size(), b.size(), "read-only opens share the member");
            assertThrows(IOException.class, () -> BlockDevices.open(members, exclusive));
        }
    }

    @Test
    void plainImagesLockToo() throws Exception {
        List<Path> image = TestMembers.sparseFiles(dir, 1, 4L << 20);
        try (BlockDevice first = BlockDevices.open(image, OpenOptions.READ_WRITE.exclusively())) {
            assertThrows(IOException.class, () -> BlockDevices.open(image, OpenOptions.READ_WRITE.exclusively()));
        }
    }

    /** Exit status of {@code flock -n -x PATH true} in a child process: 0 free, 1 locked. */
    private static int flockFromAnotherProcess(Path path) throws Exception {
        return new ProcessBuilder("flock", "-n", "-x", path.toString(), "true").inheritIO().start().waitFor();
    }
}
