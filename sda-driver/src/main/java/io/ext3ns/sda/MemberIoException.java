package io.ext3ns.sda;

import java.io.IOException;

/** A member request failed; names the member and the byte offset on it, so the failing disk can be found. */
public final class MemberIoException extends IOException {
    private final String member;
    private final long memberOffset;

    public MemberIoException(String member, String operation, long memberOffset, int length, Throwable cause) {
        super(member + ": " + operation + " of " + length + " bytes at member offset " + memberOffset + " failed: "
                + cause, cause);
        this.member = member;
        this.memberOffset = memberOffset;
    }

    public String member() {
        return member;
    }

    public long memberOffset() {
        return memberOffset;
    }
}
