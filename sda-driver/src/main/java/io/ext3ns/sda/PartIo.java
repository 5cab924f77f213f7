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

    PartIo(Kind kind, long memberOffset, ByteBuffer slice, ArrayRequest request) {
        this.kind = kind;
        this.memberOffset = memberOffset;
        this.slice = slice;
        this.request = request;
    }

    /** Fails the part without running it. */
    void reject(Throwable why) {
        request.partDone(why);
    }

    /** Performs the part on {@code member} and reports to its request; never throws. */
    void run(MemberIo member) {
        if (request.failed()) {
            request.partDone(null);
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
            int length = slice == null ? 0 : slice.capacity();
            error = new MemberIoException(member.name(), kind.verb, memberOffset, length, t);
        }
        request.partDone(error);
    }
}
