package io.ext3ns.fuse.kernel;

import io.ext3ns.fuse.ops.FuseBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * mount(2) and umount2(2) of a "fuse.ext3ns" file system served on a /dev/fuse descriptor, as root (fusermount3
 * is what a user would need; not done here). The mount's FUSE options split into the kernel's (allow_other,
 * default_permissions: mount data) and mount flags (ro, nosuid, nodev, noexec, noatime, sync, dirsync); the rest
 * are the server's own (time-outs, kernel_cache, direct_io) or libfuse's and need nothing from the kernel.
 */
final class KernelMount {
    private static final Logger log = LoggerFactory.getLogger(KernelMount.class);
    static final Path MAX_PAGES_LIMIT = Path.of("/proc/sys/fs/fuse/max_pages_limit");

    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    private static final long MS_NOEXEC = 8;
    private static final long MS_SYNCHRONOUS = 16;
    private static final long MS_DIRSYNC = 128;
    private static final long MS_NOATIME = 1024;

    private KernelMount() {
    }

    /** Mount flags and data for {@code options}; nosuid and nodev unless asked otherwise, as libfuse mounts. */
    record Plan(long flags, String data) {
    }

    static Plan plan(List<String> options, int fd) {
        long flags = MS_NOSUID | MS_NODEV;
        List<String> data = new ArrayList<>(List.of("fd=" + fd, "rootmode=40000", "user_id=0", "group_id=0"));
        for (String o : options) {
            switch (o) {
                case "ro" -> flags |= MS_RDONLY;
                case "rw" -> flags &= ~MS_RDONLY;
                case "suid" -> flags &= ~MS_NOSUID;
                case "nosuid" -> flags |= MS_NOSUID;
                case "dev" -> flags &= ~MS_NODEV;
                case "nodev" -> flags |= MS_NODEV;
                case "exec" -> flags &= ~MS_NOEXEC;
                case "noexec" -> flags |= MS_NOEXEC;
                case "noatime" -> flags |= MS_NOATIME;
                case "atime" -> flags &= ~MS_NOATIME;
                case "sync" -> flags |= MS_SYNCHRONOUS;
                case "async" -> flags &= ~MS_SYNCHRONOUS;
                case "dirsync" -> flags |= MS_DIRSYNC;
                case "allow_other", "default_permissions" -> {
                    if (!data.contains(o)) {
                        data.add(o);
                    }
                }
                default -> { } // the server's own options, or libfuse's with no kernel meaning here
            }
        }
        return new Plan(flags, String.join(",", data));
    }

    /** Mounts the session of {@code fd} at {@code mountPoint}; throws with the kernel's reason when it refuses. */
    static void mount(Path mountPoint, String fsName, List<String> options, int fd) {
        if (!runByRoot()) {
            throw new IllegalStateException("transport=kernel mounts with mount(2) and needs root (fusermount3 "
                    + "is not supported yet): use transport=libfuse3 as a user");
        }
        Plan plan = plan(options, fd);
        int rc = DevFuse.libc().mount(fsName, mountPoint.toAbsolutePath().toString(),
                "fuse." + FuseBackend.SUBTYPE, plan.flags(), plan.data());
        if (rc != 0) {
            throw new IllegalStateException("mount(2) of " + mountPoint + " failed: " + DevFuse.describe(DevFuse.errno()));
        }
    }

    /** umount2, detaching lazily when busy (open files): the session ends when the last one closes. */
    static void unmount(Path mountPoint) {
        String mp = mountPoint.toAbsolutePath().toString();
        if (DevFuse.libc().umount2(mp, 0) == 0) {
            return;
        }
        int e = DevFuse.errno();
        if (e == DevFuse.EBUSY) {
            log.warn("{} is busy; unmounting lazily", mp);
            if (DevFuse.libc().umount2(mp, DevFuse.MNT_DETACH) == 0) {
                return;
            }
            e = DevFuse.errno();
        }
        log.warn("umount2({}) failed: {}", mp, DevFuse.describe(e));
    }

    /**
     * The request size in pages the kernel will accept: {@code wanted}, after raising max_pages_limit to it as root
     * (said in the log); less where the limit stays lower; 256 (1 MiB) where the kernel has no such limit.
     */
    static int maxPages(int wanted) {
        if (!Files.exists(MAX_PAGES_LIMIT)) {
            return Math.min(wanted, 256);
        }
        try {
            // not readString: on this /proc file (size 0) it returned only the first byte
            int limit = Integer.parseInt(Files.readAllLines(MAX_PAGES_LIMIT).get(0).trim());
            if (limit >= wanted) {
                return wanted;
            }
            if (runByRoot()) {
                Files.writeString(MAX_PAGES_LIMIT, Integer.toString(wanted));
                log.info("raised {} from {} to {} pages so that one FUSE request carries {} KiB", MAX_PAGES_LIMIT,
                        limit, wanted, wanted * 4);
                return wanted;
            }
            return Math.max(1, Math.min(limit, wanted));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read or raise {}: {}; asking for 1 MiB requests", MAX_PAGES_LIMIT, e.toString());
            return Math.min(wanted, 256);
        }
    }

    static boolean runByRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
