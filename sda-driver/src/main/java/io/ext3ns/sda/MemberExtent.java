package io.ext3ns.sda;

import java.nio.file.Path;

/**
 * Where a run of a device's bytes lies: {@code length} bytes at {@code offset} of the member file or disk
 * {@code member}. A reader that opens the member itself (the HTTP server's sendfile) sends them from the kernel's
 * page cache without copying them into user space.
 */
public record MemberExtent(Path member, long offset, long length) {
    public MemberExtent {
        if (member == null || offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad extent " + member + " @" + offset + "+" + length);
        }
    }
}
