package io.ext3ns.fuse.mount;

import java.nio.file.Path;
import java.util.List;

/**
 * One mount.ext3ns invocation, validated: the members (array order), the mount point (absolute, normalised) and
 * the parsed options. {@code source} is the member list as given, shown as the mount's source in /proc/mounts.
 */
public record MountRequest(String source, List<Path> members, Path mountPoint, MountOptions options,
                           boolean foreground) {
}
