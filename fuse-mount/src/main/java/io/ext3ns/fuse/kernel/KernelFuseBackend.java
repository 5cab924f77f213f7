package io.ext3ns.fuse.kernel;

import io.ext3ns.fuse.ops.FuseBackend;
import io.ext3ns.fuse.ops.FuseOps;

import java.nio.file.Path;
import java.util.List;

/**
 * {@code -o transport=kernel}: the kernel's FUSE protocol spoken on /dev/fuse by us, no libfuse in the data path.
 * Inode-based (the kernel caches names and attributes for the time-outs, an unlinked open file stays reachable by
 * its node), requests of up to 2 MiB, several worker threads each on a cloned descriptor. Mounts as root only.
 */
public final class KernelFuseBackend implements FuseBackend {
    private static final int MIN_WORKERS = 4;
    private static final int MAX_WORKERS = 16;

    @Override
    public int serve(Path mountPoint, String fsName, List<String> options, boolean multiThreaded, FuseOps ops) {
        // Requests block on device I/O in the engine: more readers than cores keep the kernel's queue moving.
        int workers = Math.min(MAX_WORKERS, Math.max(MIN_WORKERS, Runtime.getRuntime().availableProcessors()));
        return new KernelSession(mountPoint, fsName, options, ops, workers).run();
    }

    /** FUSE_POSIX_ACL is negotiated at INIT (kernels since 4.9). */
    @Override
    public boolean enforcesPosixAcls() {
        return true;
    }

    @Override
    public void requestUnmount(Path mountPoint) {
        KernelMount.unmount(mountPoint);
    }
}
