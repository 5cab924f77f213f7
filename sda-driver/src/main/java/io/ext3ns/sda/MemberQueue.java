package io.ext3ns.sda;

/**
 * The pipelined I/O manager's queue for one member: parts are served in arrival order with at most a fixed number
 * in flight (2 by default, the paper's pipelining), the next issued as one completes. Two engines serve it:
 * {@link ThreadMemberQueue} (blocking positional I/O on one thread per in-flight slot) and
 * {@link UringMemberQueue} (io_uring, one completion thread per array).
 */
interface MemberQueue extends AutoCloseable {
    /** Queues {@code part}; after close the part fails at once instead of waiting forever. */
    void submit(PartIo part);

    /** Parts waiting or in flight on this member now. */
    int depth();

    /** Lets queued parts finish, then stops serving. */
    @Override
    void close();
}
