package io.ext3ns.bench.sda;

import io.ext3ns.sda.IoEngine;

import java.util.Arrays;
import java.util.List;

/**
 * One way of running the array in the benchmark: an I/O engine, and reader buffers carved from a huge-page arena
 * (registered with the ring on the io_uring engine, so its parts go as READ_FIXED) or ordinary aligned buffers.
 */
record BenchVariant(String label, IoEngine engine, boolean arena) {
    static final BenchVariant THREADS = new BenchVariant("threads", IoEngine.THREADS, false);
    static final BenchVariant THREADS_ARENA = new BenchVariant("threads+arena", IoEngine.THREADS, true);
    static final BenchVariant URING = new BenchVariant("uring", IoEngine.URING, false);
    static final BenchVariant URING_FIXED = new BenchVariant("uring+fixed", IoEngine.URING, true);
    static final BenchVariant URING_MEMBER = new BenchVariant("uring-member", IoEngine.URING_MEMBER, false);
    static final BenchVariant URING_MEMBER_FIXED = new BenchVariant("uring-member+fixed", IoEngine.URING_MEMBER,
            true);
    static final List<BenchVariant> ALL = List.of(THREADS, THREADS_ARENA, URING, URING_FIXED, URING_MEMBER,
            URING_MEMBER_FIXED);

    /** "threads,uring+fixed" → those variants, in that order. */
    static List<BenchVariant> parseList(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).map(name -> ALL.stream()
                .filter(v -> v.label.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown variant " + name + "; known: "
                        + ALL.stream().map(BenchVariant::label).toList()))).toList();
    }
}
