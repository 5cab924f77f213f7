package io.ext3ns.fs.util;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FileNamesTest {
    @Test
    void everyOneAndTwoByteSequenceRoundTripsAndDecodesToADistinctString() {
        Set<String> seen = new HashSet<>();
        for (int a = 0; a < 256; a++) {
            byte[] one = {(byte) a};
            assertArrayEquals(one, FileNames.encode(FileNames.decode(one)), "byte " + a);
            seen.add(FileNames.decode(one));
            for (int b = 0; b < 256; b++) {
                byte[] two = {(byte) a, (byte) b};
                String s = FileNames.decode(two);
                assertArrayEquals(two, FileNames.encode(s), a + "," + b);
                assertEquals(s, FileNames.decode(FileNames.encode(s)));
                seen.add(s);
            }
        }
        assertEquals(256 + 65536, seen.size(), "two byte strings decoded to the same String");
    }

    @Test
    void randomByteNamesRoundTrip() {
        Random random = new Random(14);
        Set<String> seen = new HashSet<>();
        Set<String> distinct = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            byte[] name = new byte[1 + random.nextInt(12)];
            random.nextBytes(name);
            if (i % 2 == 0) { // half of them mostly valid multi-byte UTF-8 with a stray byte here and there
                byte[] utf8 = new String(new int[] {0xE9 + random.nextInt(0x10000), 0x1F600 + random.nextInt(64)},
                        0, 2).getBytes(StandardCharsets.UTF_8);
                name = Arrays.copyOf(utf8, utf8.length + 1);
                name[random.nextInt(name.length)] = (byte) (0x80 + random.nextInt(128));
            }
            String s = FileNames.decode(name);
            assertArrayEquals(name, FileNames.encode(s), Arrays.toString(name));
            if (distinct.add(Arrays.toString(name))) {
                seen.add(s);
            }
        }
        assertEquals(distinct.size(), seen.size(), "distinct byte names collided");
    }

    @Test
    void validUtf8DecodesAsJavaDoesAndEncodesBack() {
        for (String s : new String[] {"", "plain.txt", "café", "日本語", "emoji \uD83D\uDE00", "\u00FF\u0100\uFFFD",
                "\uD7FF\uE000\uFFFF", new String(Character.toChars(0x10FFFF))}) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            assertEquals(s, FileNames.decode(utf8));
            assertArrayEquals(utf8, FileNames.encode(s));
            assertEquals(s, FileNames.printable(s));
        }
    }

    @Test
    void invalidBytesBecomeEscapesOneByOneAsPythonsSurrogateescape() {
        // Latin-1 'é', a cut-off sequence, an overlong '/', an encoded surrogate, a code point above U+10FFFF
        assertEquals("caf\uDCE9", FileNames.decode(new byte[] {'c', 'a', 'f', (byte) 0xE9}));
        assertEquals("\uDCE2\uDC82", FileNames.decode(new byte[] {(byte) 0xE2, (byte) 0x82}));
        assertEquals("\uDCC0\uDCAF", FileNames.decode(new byte[] {(byte) 0xC0, (byte) 0xAF}));
        assertEquals("\uDCED\uDCA0\uDC80", FileNames.decode(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
        assertEquals("\uDCF4\uDC90\uDC80\uDC80",
                FileNames.decode(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}));
        assertEquals("\uDCE1\u1000", FileNames.decode(new byte[] {(byte) 0xE1, (byte) 0xE1, (byte) 0x80, (byte) 0x80}));
        assertNotEquals(FileNames.decode("é".getBytes(StandardCharsets.UTF_8)), FileNames.decode(new byte[] {(byte) 0xE9}));
        assertEquals("caf\\xe9", FileNames.printable(new byte[] {'c', 'a', 'f', (byte) 0xE9}));
    }

    @Test
    void aLoneSurrogateThatIsNoEscapeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> FileNames.encode("a\uD800"));
        assertThrows(IllegalArgumentException.class, () -> FileNames.encode("\uDC7F"));
        assertThrows(IllegalArgumentException.class, () -> FileNames.encode("\uDD00"));
    }
}
