package io.ext3ns.fuse.jnr;

import io.ext3ns.fs.util.FileNames;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Paths and names cross the native boundary as their bytes, in both directions, UTF-8 or not. */
class UpcallsTest {
    private static final Runtime RUNTIME = Runtime.getSystemRuntime();
    private static final byte[] LATIN1 = {'/', 'd', (byte) 0xE9, '/', 'c', 'a', 'f', (byte) 0xE9};

    @Test
    void aPathIsDecodedFromItsBytesNotTheJvmCharset() {
        Pointer p = Memory.allocateDirect(RUNTIME, 64);
        p.put(0, LATIN1, 0, LATIN1.length);
        p.putByte(LATIN1.length, (byte) 0);
        String path = Upcalls.path(p);
        assertEquals("/d\uDCE9/caf\uDCE9", path);
        assertArrayEquals(LATIN1, FileNames.encode(path));
        assertNull(Upcalls.path(null)); // nullpath_ok: an open file unlinked has no path
    }

    @Test
    void readlinkAndListxattrAnswerTheBytes() {
        Pointer buf = Memory.allocateDirect(RUNTIME, 64);
        assertEquals(0, Upcalls.copyLink(FileNames.decode(LATIN1), buf, 64));
        byte[] got = new byte[LATIN1.length + 1];
        buf.get(0, got, 0, got.length);
        assertArrayEquals(java.util.Arrays.copyOf(LATIN1, LATIN1.length + 1), got);

        String name = FileNames.decode(new byte[] {'u', 's', 'e', 'r', '.', (byte) 0xFF});
        assertEquals(7, Upcalls.copyNames(List.of(name), buf, 0)); // size 0: the length needed
        assertEquals(7, Upcalls.copyNames(List.of(name), buf, 64));
        byte[] names = new byte[7];
        buf.get(0, names, 0, 7);
        assertArrayEquals(new byte[] {'u', 's', 'e', 'r', '.', (byte) 0xFF, 0}, names);
    }
}
