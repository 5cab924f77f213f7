package io.ext3ns.fuse;

import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fuse.mount.EngineOpener;
import io.ext3ns.fuse.mount.MountOptions;
import io.ext3ns.sda.BlockDevice;

import java.io.IOException;

/**
 * The engine mount.ext3ns opens: fs-core's {@link Ext3FileSystem}, with the cache sizes and atime policy the mount
 * options ask.
 */
final class Engines {
    static final EngineOpener EXT3NS = Engines::openExt3;

    private Engines() {
    }

    private static EngineOpener.Opened openExt3(BlockDevice device, MountOptions options) throws IOException {
        EngineOptions defaults = EngineOptions.defaults().withReadOnly(options.readOnly()).withAtime(options.atime());
        EngineOptions opts = defaults.withCaches(
                options.metaCacheBytes() > 0 ? options.metaCacheBytes() : defaults.metadataCacheBytes(),
                options.cacheBytes() > 0 ? options.cacheBytes() : defaults.dataCacheBytes());
        Ext3FileSystem fs = Ext3FileSystem.open(device, opts);
        String forced = fs.readOnly() && !options.readOnly() ? fs.readOnlyReason() : null;
        return new EngineOpener.Opened(fs, forced);
    }
}
