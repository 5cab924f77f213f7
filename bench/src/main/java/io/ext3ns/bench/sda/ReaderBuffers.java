package io.ext3ns.bench.sda;

import io.ext3ns.sda.AlignedBuffers;
import io.ext3ns.sda.HugePageArena;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark readers' buffers, shared by the variants that run one after another (so that 256 readers x 2
 * blocks are allocated once per kind, not once per variant): ordinary aligned buffers, or buffers carved from one
 * huge-page arena.
 */
final class ReaderBuffers {
    private final HugePageArena arena;
    private final List<ByteBuffer> buffers = new ArrayList<>();

    /** Ordinary buffers ({@code arena == null}) or buffers from {@code arena}. */
    ReaderBuffers(HugePageArena arena) {
        this.arena = arena;
    }

    /** The arena the buffers come from, or null. */
    HugePageArena arena() {
        return arena;
    }

    /** Buffer {@code index} of {@code size} bytes (allocated on first use; every call must ask the same size). */
    synchronized ByteBuffer get(int index, int size) {
        while (buffers.size() <= index) {
            buffers.add(arena == null ? AlignedBuffers.allocate(size) : arena.carve(size));
        }
        return buffers.get(index).clear();
    }
}
