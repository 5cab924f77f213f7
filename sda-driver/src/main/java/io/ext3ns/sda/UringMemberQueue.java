package io.ext3ns.sda;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One member's queue in the io_uring engine: parts wait here in arrival order and at most {@code limit} are in the
 * ring at once; the ring thread issues the next as one completes. Everything but {@link #depth} and
 * {@link #submit} belongs to the ring thread.
 */
final class UringMemberQueue implements MemberQueue {
    private final UringEngine engine;
    final String member;
    final int fd;
    final int limit;
    /** Ring thread only. */
    final ArrayDeque<PartIo> waiting = new ArrayDeque<>();
    /** Ring thread only: parts of this member in the ring now. */
    int inFlight;
    /** Parts queued or being served: what a metrics scrape reads. */
    final AtomicInteger depth = new AtomicInteger();

    UringMemberQueue(UringEngine engine, MemberIo member, int limit) {
        this.engine = engine;
        this.member = member.name();
        this.fd = member.nativeDescriptor();
        this.limit = limit;
    }

    @Override
    public void submit(PartIo part) {
        engine.submit(this, part);
    }

    @Override
    public int depth() {
        return depth.get();
    }

    /** The engine is shared by the array's members and closed by the array once. */
    @Override
    public void close() {
        engine.close();
    }
}
