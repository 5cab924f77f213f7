package io.ext3ns.fuse.ops;

import java.nio.file.Path;
import java.util.List;

/**
 * A FUSE binding: serves {@link FuseOps} at a mount point. Three exist, libfuse 3, libfuse 2 (jnr-fuse) and our own
 * server on /dev/fuse (transport=kernel, through {@link FuseOps#inodes}); {@link io.ext3ns.fuse.FuseBackends} picks
 * one. Neither the file system nor the mount command knows which.
 */
public interface FuseBackend {
    /** Every binding mounts as type "fuse.ext3ns", which is what mount -t fuse.ext3ns and fstab name. */
    String SUBTYPE = "ext3ns";

    /**
     * A marker among the options, not a FUSE option: the mount wants the kernel to enforce POSIX ACLs (ext3's
     * {@code acl}). libfuse 3 turns it into FUSE_CAP_POSIX_ACL; libfuse 2 has no such capability and drops it.
     */
    String POSIX_ACL = "x-ext3ns-posix-acl";

    /**
     * Serves {@code ops} at {@code mountPoint} and blocks until the file system is unmounted (by umount,
     * fusermount -u, or {@link #requestUnmount}). Returns the FUSE loop's exit status, 0 for a normal unmount.
     *
     * @param fsName     the source shown in /proc/mounts
     * @param options    FUSE -o options every binding gets (use_ino, attr_timeout=0, ro, the user's); a binding adds
     *                   what its libfuse needs (libfuse 2: big_writes, max_read)
     * @param multiThreaded serve requests from a pool of native threads instead of the one calling thread
     */
    int serve(Path mountPoint, String fsName, List<String> options, boolean multiThreaded, FuseOps ops);

    /**
     * True when this binding can have the kernel enforce POSIX ACLs (libfuse 3's FUSE_CAP_POSIX_ACL). Without it a
     * mount behaves as ext3 mounted {@code noacl}: ACLs are neither shown nor set, the mode bits decide.
     */
    default boolean enforcesPosixAcls() {
        return false;
    }

    /** Asks the kernel to unmount (non-lazy first); {@link #serve} then returns. Safe to call from any thread. */
    void requestUnmount(Path mountPoint);
}
