package io.ext3ns.fs.cache;

import java.nio.ByteBuffer;

/**
 * A lease on a cached unit holding file bytes [{@code fileOffset}, {@code fileOffset + length}) at the start of its
 * memory; the holder owns {@code ref} and must release it. {@code view} is the holder's own view of the unit's
 * memory (made once, so payload slices need no allocation), valid until the release. The bytes never change while
 * the lease is held: a write makes a new unit.
 */
public record CachedBlock(UnitRef ref, ByteBuffer view, long fileOffset, int length) {
}
