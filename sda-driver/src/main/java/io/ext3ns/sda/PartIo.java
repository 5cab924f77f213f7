package io.ext3ns.sda;

import java.nio.ByteBuffer;

/** One member request: a part of a logical block read into, or written from, its slice of the caller's buffer. */
final class PartIo {
    enum Kind {
        READ("read"), WRITE("write"), SYNC("fdatasync");

        final String verb;

        Kind(String verb) {
            this.verb = verb;
        }
    }

    private final Kind kind;
    private final long memberOffset;
    private final ByteBuffer slice;
    private final ArrayRequest request;
    /** Where the part's time goes when it succeeds; null for parts that are not timed. */
    private final MemberRequestTimes times;
    /** When the part was made, which is when it is submitted to its member queue (the array does both at once). */
    private final long submittedNanos;

    PartIo(Kind kind, long memberOffset, ByteBuffer slice, ArrayRequest request, MemberRequestTimes times) {
        this.kind = kind;
        this.memberOffset = memberOffset;
        this.slice = slice;
        this.request = request;
        this.times = times;
        this.submittedNanos = times == null ? 0 : System.nanoTime();
    }

    Kind kind() {
        return kind;
    }

    long memberOffset() {
        return memberOffset;
    }

    /** The caller's bytes for this part (null for a sync). */
    ByteBuffer slice() {
        return slice;
    }

    /** Fails the part without running it. */
    void reject(Throwable why) {
        request.partDone(why);
    }

    /**
     * True when another part of the same request has already failed: this one is then finished as skipped and
     * must not be started.
     */
    boolean skipIfRequestFailed() {
        if (request.failed()) {
            request.partDone(null);
            return true;
        }
        return false;
    }

    /**
     * Reports the outcome to the request; a {@code cause} becomes an error naming the member and offset. A success
     * is timed before the request hears of it, so a caller whose request completed finds it counted.
     */
    void finish(String member, Throwable cause) {
        if (cause == null) {
            if (times != null) {
                times.completed(kind, submittedNanos);
            }
            request.partDone(null);
            return;
        }
        int length = slice == null ? 0 : slice.capacity();
        request.partDone(new MemberIoException(member, kind.verb, memberOffset, length, cause));
    }

    /** Performs the part on {@code member} with a blocking call and reports to its request; never throws. */
    void run(MemberIo member) {
        if (skipIfRequestFailed()) {
            return;
        }
        Throwable error = null;
        try {
            switch (kind) {
                case READ -> member.read(memberOffset, slice);
                case WRITE -> member.write(memberOffset, slice);
                case SYNC -> member.sync();
            }
        } catch (Throwable t) {
            error = t;
        }
        finish(member.name(), error);
    }
}
