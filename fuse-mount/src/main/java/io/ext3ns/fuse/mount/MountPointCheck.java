package io.ext3ns.fuse.mount;

import io.ext3ns.fuse.ops.FuseBackend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Refuses a mount point that cannot take a new mount, saying why and what to do. */
final class MountPointCheck {
    private MountPointCheck() {
    }

    static void requireUsable(Path mountPoint) throws MountFailure {
        MountTable.State state;
        try {
            state = MountTable.state(mountPoint);
        } catch (IOException e) {
            throw new MountFailure(MountFailure.FAILED, "cannot read the mount table: " + e.getMessage(), e);
        }
        switch (state) {
            case STALE -> throw new MountFailure(MountFailure.FAILED, mountPoint + " is a stale FUSE mount left by a"
                    + " mount process that died (Transport endpoint is not connected). Clear it with:"
                    + "  fusermount -u " + mountPoint + "   (or, if that fails: umount -l " + mountPoint + ")");
            case LIVE -> throw new MountFailure(MountFailure.FAILED, mountPoint + " is already a mount point"
                    + describe(mountPoint) + "; unmount it first");
            case NOT_MOUNTED -> {
                if (!Files.isDirectory(mountPoint)) {
                    throw new MountFailure(MountFailure.USAGE, Files.exists(mountPoint)
                            ? mountPoint + " is not a directory" : "mount point " + mountPoint + " does not exist");
                }
            }
        }
    }

    private static String describe(Path mountPoint) {
        try {
            return MountTable.at(mountPoint).map(e -> " (" + e.source() + ", type " + e.type() + ")").orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    /** True when our FUSE mount is at {@code mountPoint} and answers stat. */
    static boolean isLive(Path mountPoint) {
        try {
            return MountTable.at(mountPoint).filter(e -> e.type().equals("fuse." + FuseBackend.SUBTYPE)).isPresent()
                     && MountTable.answers(mountPoint);
        } catch (IOException e) {
            return false;
        }
    }
}
