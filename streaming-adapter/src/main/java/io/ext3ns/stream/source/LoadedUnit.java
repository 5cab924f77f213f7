package io.ext3ns.stream.source;

import io.ext3ns.stream.pool.UnitRef;

import java.nio.ByteBuffer;

/**
 * A pinned unit holding file bytes [{@code fileOffset}, {@code fileOffset + length}); the holder owns
 * {@code ref} and must release it. {@code view} is the holder's own view of the unit's memory (made once, so
 * payload slices need no allocation), valid until the release.
 */
public record LoadedUnit(UnitRef ref, ByteBuffer view, long fileOffset, int length) {
}
