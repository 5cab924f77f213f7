package io.ext3ns.stream.source;

import io.ext3ns.stream.pool.UnitRef;

/**
 * A pinned unit holding file bytes [{@code fileOffset}, {@code fileOffset + length}); the holder owns
 * {@code ref} and must release it.
 */
public record LoadedUnit(UnitRef ref, long fileOffset, int length) {
}
