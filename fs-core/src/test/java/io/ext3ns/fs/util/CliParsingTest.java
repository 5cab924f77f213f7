package io.ext3ns.fs.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CliParsingTest {
    @ParameterizedTest
    @CsvSource({"4096, 4096", "64K, 65536", "64k, 65536", "1M, 1048576", "1MiB, 1048576", "2G, 2147483648",
        "1T, 1099511627776", "128KB, 131072"})
    void sizesWithBinarySuffixes(String text, long bytes) {
        assertEquals(bytes, SizeParser.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "K", "1X", "-4", "1.5M", "99999999999999999999", "9999999999T"})
    void badSizesAreRefusedWithTheText(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SizeParser.parse(text));
        assertEquals(true, e.getMessage().contains(text.isEmpty() ? "empty" : text), e.getMessage());
    }

    @Test
    void formatPicksTheShortestExactUnit() {
        assertEquals("1M", SizeParser.format(1 << 20));
        assertEquals("64K", SizeParser.format(65536));
        assertEquals("1536K", SizeParser.format(1536 * 1024));
        assertEquals("1000", SizeParser.format(1000));
    }

    @Test
    void membersAsArgumentsOrCommaLists() {
        assertEquals(List.of(Path.of("a"), Path.of("b"), Path.of("c")), MemberList.parse(List.of("a,b", "c")));
        assertThrows(IllegalArgumentException.class, () -> MemberList.parse(List.of(",")));
        assertThrows(IllegalArgumentException.class, () -> MemberList.parse(List.of("a", "./a")));
    }
}
