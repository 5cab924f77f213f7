package io.ext3ns.stream.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteRangeTest {
    @Test
    void resolvesTheThreeFormsAgainstTheSize() throws Exception {
        assertEquals(new ByteRange(1000, 1999), ByteRange.parse("bytes=1000-1999", 5000));
        assertEquals(new ByteRange(1000, 4999), ByteRange.parse("bytes=1000-", 5000));
        assertEquals(new ByteRange(1000, 4999), ByteRange.parse("bytes=1000-999999", 5000));
        assertEquals(new ByteRange(4500, 4999), ByteRange.parse("bytes=-500", 5000));
        assertEquals(new ByteRange(0, 4999), ByteRange.parse("bytes=-9000", 5000));
    }

    @Test
    void ignoresWhatItDoesNotServeAndRefusesWhatNothingSatisfies() throws Exception {
        assertNull(ByteRange.parse(null, 5000));
        assertNull(ByteRange.parse("bytes=0-1,5-6", 5000));
        assertNull(ByteRange.parse("items=0-1", 5000));
        assertNull(ByteRange.parse("bytes=9-1", 5000));
        assertNull(ByteRange.parse("bytes=x-", 5000));
        assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse("bytes=5000-", 5000));
        assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse("bytes=-0", 5000));
    }
}
