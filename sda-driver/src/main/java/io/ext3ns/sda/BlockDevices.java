package io.ext3ns.sda;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Opens the device a member list describes: one unlabelled member is a plain ext3 image or disk; labelled members
 * are assembled into a Stream Disk Array.
 */
public final class BlockDevices {
    private BlockDevices() {
    }

    public static BlockDevice open(List<Path> members, boolean readOnly) throws IOException {
        if (members.isEmpty()) {
            throw new IllegalArgumentException("no member given");
        }
        if (members.size() == 1) {
            return new FileMember(members.get(0), readOnly);
        }
        throw new IOException("assembling a Stream Disk Array of " + members.size() + " members is not built yet");
    }
}
