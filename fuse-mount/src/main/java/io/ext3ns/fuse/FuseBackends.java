package io.ext3ns.fuse;

import io.ext3ns.fuse.jnr.Fuse3Backend;
import io.ext3ns.fuse.jnr.JnrFuseBackend;
import io.ext3ns.fuse.kernel.KernelFuseBackend;
import io.ext3ns.fuse.mount.MountOptions;
import io.ext3ns.fuse.ops.FuseBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the FUSE binding for a mount: libfuse 3 (1 MiB requests) where it is installed, else libfuse 2 through
 * jnr-fuse (128 KiB requests); {@code -o libfuse=2|3} asks for one, {@code -o transport=kernel} our own server on
 * /dev/fuse.
 */
public final class FuseBackends {
    private static final Logger log = LoggerFactory.getLogger(FuseBackends.class);

    private FuseBackends() {
    }

    /** {@code version}: 2 or 3 to insist on one, {@link MountOptions#TRANSPORT_KERNEL}, 0 for the best installed. */
    public static FuseBackend choose(int version) {
        if (version == MountOptions.TRANSPORT_KERNEL) {
            return new KernelFuseBackend();
        }
        if (version == 2) {
            return new JnrFuseBackend();
        }
        StringBuilder why = new StringBuilder();
        FuseBackend fuse3 = Fuse3Backend.loadOrNull(why);
        if (fuse3 != null) {
            return fuse3;
        }
        if (version == 3) {
            throw new IllegalStateException("libfuse 3 (libfuse3.so.3) cannot be loaded: " + why);
        }
        log.warn("libfuse 3 cannot be loaded ({}); serving through libfuse 2 (128 KiB requests)", why);
        return new JnrFuseBackend();
    }
}
