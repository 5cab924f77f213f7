package io.ext3ns.fs.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FsException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Linux's fs/posix_acl.c rules, with the cases the kernel's ext3 showed in ShellSemanticsTest's transcript. */
class PosixAclTest {
    private static byte[] acl(int[]... entries) {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * entries.length).order(ByteOrder.LITTLE_ENDIAN).putInt(2);
        for (int[] e : entries) {
            b.putShort((short) e[0]).putShort((short) e[1]).putInt(e.length > 2 ? e[2] : -1);
        }
        return b.array();
    }

    private static final int U = PosixAcl.USER_OBJ;
    private static final int NU = PosixAcl.USER;
    private static final int G = PosixAcl.GROUP_OBJ;
    private static final int NG = PosixAcl.GROUP;
    private static final int M = PosixAcl.MASK;
    private static final int O = PosixAcl.OTHER;

    @Test
    void validationRefusesWhatTheKernelRefuses() throws Exception {
        PosixAcl.parse(acl(new int[] {U, 6}, new int[] {G, 4}, new int[] {O, 4}));
        for (byte[] bad : List.of(
                acl(new int[] {U, 6}, new int[] {NU, 4, 9}, new int[] {G, 4}, new int[] {O, 4}), // no mask
                acl(new int[] {G, 4}, new int[] {U, 6}, new int[] {O, 4}),                       // out of order
                acl(new int[] {U, 6}, new int[] {NU, 4, 9}, new int[] {NU, 4, 3}, new int[] {G, 4},
                        new int[] {M, 4}, new int[] {O, 4}),                                    // ids unsorted
                acl(new int[] {U, 8}, new int[] {G, 4}, new int[] {O, 4}),                       // perm bits
                acl(new int[] {U, 6}, new int[] {G, 4}),                                        // no other
                new byte[] {2, 0, 0, 0, 1, 2, 3})) {
            assertEquals(Errno.EINVAL, assertThrows(FsException.class, () -> PosixAcl.parse(bad)).errno());
        }
    }

    @Test
    void modeFollowsTheMaskAndChmodFollowsIntoTheAcl() throws Exception {
        // setfacl -m u:65534:r on a 600 file: mode 640 (the mask is the group class)
        PosixAcl a = PosixAcl.parse(acl(new int[] {U, 6}, new int[] {NU, 4, 65534}, new int[] {G, 0},
                new int[] {M, 4}, new int[] {O, 0}));
        assertEquals(0100640, a.modeOf(0100600));
        assertFalse(a.isEquivalentToMode());
        // chmod 600 then: the mask becomes ---, the group entry stays
        assertEquals(List.of(new PosixAcl.Entry(U, 6, -1), new PosixAcl.Entry(NU, 4, 65534),
                new PosixAcl.Entry(G, 0, -1), new PosixAcl.Entry(M, 0, -1), new PosixAcl.Entry(O, 0, -1)),
                a.chmod(0600).entries());
        assertTrue(PosixAcl.parse(acl(new int[] {U, 6}, new int[] {G, 4}, new int[] {O, 0})).isEquivalentToMode());
    }

    @Test
    void aNewFileTakesTheDefaultAclMaskedByItsMode() throws Exception {
        // setfacl -d -m u:65534:rx on a 755 directory, then touch (mode 0666): 644, mask r--
        PosixAcl dflt = PosixAcl.parse(acl(new int[] {U, 7}, new int[] {NU, 5, 65534}, new int[] {G, 5},
                new int[] {M, 5}, new int[] {O, 5}));
        PosixAcl.Created file = dflt.create(0100666);
        assertEquals(0100644, file.mode());
        assertEquals(List.of(new PosixAcl.Entry(U, 6, -1), new PosixAcl.Entry(NU, 5, 65534),
                new PosixAcl.Entry(G, 5, -1), new PosixAcl.Entry(M, 4, -1), new PosixAcl.Entry(O, 4, -1)),
                file.access().entries());
        PosixAcl.Created dir = dflt.create(040777);
        assertEquals(040755, dir.mode());
        PosixAcl plain = PosixAcl.parse(acl(new int[] {U, 7}, new int[] {G, 5}, new int[] {O, 0}));
        PosixAcl.Created noAcl = plain.create(0100666);
        assertEquals(0100640, noAcl.mode());
        assertNull(noAcl.access(), "equivalent to the mode: no ACL stored");
    }
}
