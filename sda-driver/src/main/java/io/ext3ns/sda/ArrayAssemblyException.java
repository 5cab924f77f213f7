package io.ext3ns.sda;

import java.io.IOException;

/** Assembly (or creation) of an array was refused because of one member; nothing was written. */
public final class ArrayAssemblyException extends IOException {
    private final String member;

    public ArrayAssemblyException(String member, String problem) {
        super(member + ": " + problem);
        this.member = member;
    }

    /** The member the refusal is about. */
    public String member() {
        return member;
    }
}
