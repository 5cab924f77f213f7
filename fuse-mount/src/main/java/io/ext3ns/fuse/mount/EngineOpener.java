package io.ext3ns.fuse.mount;

import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.sda.BlockDevice;

import java.io.IOException;

/** Opens the file system engine over an opened device, which the engine then owns (and closes). */
@FunctionalInterface
public interface EngineOpener {
    /**
     * An opened engine. {@code forcedReadOnly} explains why the engine refused to write although read-write was
     * asked for (a dirty volume, unknown features), or is null; the mount is then made read-only too.
     */
    record Opened(FileSystem fs, String forcedReadOnly) {
    }

    Opened open(BlockDevice device, MountOptions options) throws IOException;
}
