package io.ext3ns.sda;

import java.io.IOException;

/**
 * A member asked for read-write cannot take writes (a read-only block device, a file on a read-only file system),
 * found when it is opened, before any member is written, so callers can say "read-only" and suggest a read-only
 * open instead of failing half-way with EPERM.
 */
public final class ReadOnlyMemberException extends IOException {
    public ReadOnlyMemberException(String message) {
        super(message);
    }
}
