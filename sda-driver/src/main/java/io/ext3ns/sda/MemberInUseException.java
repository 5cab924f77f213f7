package io.ext3ns.sda;

import java.io.IOException;

/**
 * A member is locked by another EXT3NS mount or tool (see {@link OpenOptions#exclusive()}), so that callers can tell
 * "mounted elsewhere" from other open failures and say what to do instead.
 */
public final class MemberInUseException extends IOException {
    public MemberInUseException(String message) {
        super(message);
    }
}
