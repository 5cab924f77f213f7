package io.ext3ns.fuse.mount;

import io.ext3ns.fs.api.Errno;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.api.FsException;
import io.ext3ns.fs.journal.PeriodicCommit;
import io.ext3ns.fuse.ops.FileSystemOps;
import io.ext3ns.fuse.ops.FuseBackend;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.OpenOptions;
import io.ext3ns.stream.nativeio.SystemdNotify;
import io.ext3ns.stream.origin.OriginStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One mount, in the foreground, from start to clean end: lock and open the members, open the engine, serve FUSE,
 * check that the mount is live, tune it, start extensions; then wait for the unmount (umount, fusermount -u, or
 * SIGTERM/SIGINT, which unmount first) and close everything so the volume is flushed and marked clean.
 */
public final class MountSession {
    private static final Logger log = LoggerFactory.getLogger(MountSession.class);
    private static final long LIVE_TIMEOUT_MS = 60_000;
    private static final long SHUTDOWN_TIMEOUT_MS = 120_000;
    private static final long FAILED_LOOP_WAIT_MS = 10_000;

    private final MountRequest request;
    private final FuseBackend backend;
    private final EngineOpener engine;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean loopEnded;

    public MountSession(MountRequest request, FuseBackend backend, EngineOpener engine) {
        this.request = request;
        this.backend = backend;
        this.engine = engine;
    }

    /**
     * The FUSE options every mount gets, then the user's (a later attr_timeout= overrides ours). What one libfuse
     * version needs on top (libfuse 2: big_writes, max_read) its backend adds.
     */
    static List<String> fuseOptions(MountOptions options, boolean readOnly) {
        List<String> fuse = new ArrayList<>();
        fuse.add("use_ino"); // our inode numbers in stat, so cp -a and du see hard links
        // The high-level API gives each name its own kernel inode: cached attributes of one hard link would go
        // stale when another link changes, so attributes are not cached by default.
        fuse.add("attr_timeout=0");
        if (readOnly) {
            fuse.add("ro");
        }
        // Permissions as ext3 has them: the kernel checks the mode bits (and, with acl through libfuse 3, the ACLs
        // in our xattrs), and a mount made by root serves every user, as a kernel mount does. Without
        // default_permissions every access(2) would pass (root's X_OK on a 0600 file too).
        fuse.add("default_permissions");
        if (options.xattrs().acl()) {
            fuse.add(FuseBackend.POSIX_ACL);
        }
        if (runByRoot() && !options.fuseOptions().contains("allow_other")) {
            fuse.add("allow_other");
        }
        fuse.addAll(options.fuseOptions());
        return fuse;
    }

    private static boolean runByRoot() {
        try {
            return Integer.valueOf(0).equals(java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"),
                    "unix:uid"));
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    /** Mounts and serves until unmounted. Returns normally after a clean unmount. */
    public void run() throws MountFailure {
        MountPointCheck.requireUsable(request.mountPoint());
        OpenOptions open = (request.options().readOnly() ? OpenOptions.READ_ONLY : OpenOptions.READ_WRITE)
                .exclusively();
        BlockDevice device;
        try {
            device = BlockDevices.open(request.members(), open);
        } catch (IOException | RuntimeException e) {
            throw new MountFailure(MountFailure.FAILED, "cannot open " + request.source() + ": " + e.getMessage(), e);
        }
        EngineOpener.Opened opened;
        try {
            opened = engine.open(device, request.options());
        } catch (IOException | RuntimeException e) {
            closeQuietly(device);
            // The engine refuses to write some volumes (dirty, errors, pending journal) with EROFS and says why.
            boolean refusedWrites = e instanceof FsException fe && fe.errno() == Errno.EROFS;
            throw new MountFailure(MountFailure.FAILED, refusedWrites
                    ? "cannot mount " + request.source() + " read-write: " + e.getMessage()
                    : request.source() + " does not hold a usable EXT3NS/ext3 file system: " + e.getMessage(), e);
        }
        boolean readOnly = request.options().readOnly();
        if (opened.forcedReadOnly() != null && !readOnly) {
            log.warn("mounting {} read-only: {}", request.source(), opened.forcedReadOnly());
            System.err.println("mount.ext3ns: mounting read-only: " + opened.forcedReadOnly());
            readOnly = true;
        }
        OriginStore edge;
        try {
            edge = OriginMount.open(opened.fs(), request.options().services(), readOnly);
        } catch (IOException | RuntimeException e) {
            closeEngine(opened.fs());
            finished.countDown();
            throw new MountFailure(MountFailure.FAILED, "cannot fill " + request.source() + " from its origin: "
                    + e.getMessage(), e);
        }
        try {
            serve(edge == null ? opened.fs() : edge, readOnly);
        } finally {
            if (edge != null) {
                try {
                    edge.close(); // stops the origin fills (the engine stays open) before the engine closes
                } catch (IOException | RuntimeException e) {
                    log.warn("stopping the origin fills failed: {}", e.toString());
                }
            }
            closeEngine(opened.fs()); // the engine owns the device and closes it
            finished.countDown();
        }
    }

    /**
     * ext3's acl as far as the binding can honour it: without a way to have the kernel enforce ACLs (libfuse 2) the
     * mount is noacl, so that no ACL is shown or stored that the permission checks would not follow.
     */
    private boolean effectiveAcl() {
        boolean asked = request.options().xattrs().acl();
        if (asked && !backend.enforcesPosixAcls()) {
            log.warn("this FUSE binding cannot have the kernel enforce POSIX ACLs: mounted as noacl "
                    + "(mode bits only; ACL attributes answer EOPNOTSUPP)");
            return false;
        }
        return asked;
    }

    private void serve(FileSystem fs, boolean readOnly) throws MountFailure {
        FileSystemOps ops = new FileSystemOps(fs, effectiveAcl(), request.options().xattrs().userXattr());
        Thread loop = new Thread(() -> {
            int status = backend.serve(request.mountPoint(), request.source(), fuseOptions(request.options(),
                    readOnly), request.options().multiThreaded(), ops);
            if (status != 0) {
                log.error("the FUSE loop ended with status {}", status);
            }
            loopEnded = true;
        }, "fuse-loop");
        Thread hook = new Thread(this::shutDownOnSignal, "ext3ns-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        MountExtensions extensions = null;
        PeriodicCommit commits = null;
        loop.start();
        try {
            awaitLive(loop);
            setReadAhead(fs);
            extensions = MountExtensions.start(fs, OriginMount.withoutOrigin(request.options().services()));
            if (!readOnly) { // like ext3's commit=5: work of programs that never fsync reaches the journal
                commits = PeriodicCommit.start(fs, Duration.ofSeconds(request.options().commitSeconds()));
            }
            signalReady();
            log.info("mounted {} on {}", request.source(), request.mountPoint());
            SystemdNotify.ready("mounted " + request.source() + " on " + request.mountPoint());
            joinUninterruptibly(loop);
            SystemdNotify.stopping();
            log.info("{} unmounted", request.mountPoint());
        } catch (MountFailure e) {
            joinQuietly(loop, FAILED_LOOP_WAIT_MS); // a loop that never mounted may never end: do not hang on it
            throw e;
        } catch (Exception e) {
            backend.requestUnmount(request.mountPoint());
            joinUninterruptibly(loop);
            throw new MountFailure(MountFailure.FAILED, "starting services on " + request.mountPoint() + " failed: "
                    + e.getMessage(), e);
        } finally {
            if (extensions != null) {
                extensions.close();
            }
            stopCommits(commits);
            removeHook(hook);
        }
    }

    private void awaitLive(Thread loop) throws MountFailure {
        long deadline = System.currentTimeMillis() + LIVE_TIMEOUT_MS;
        while (!MountPointCheck.isLive(request.mountPoint())) {
            if (!loop.isAlive()) {
                throw new MountFailure(MountFailure.FAILED, "FUSE could not mount " + request.mountPoint()
                        + " (see the messages above)");
            }
            if (System.currentTimeMillis() > deadline) {
                backend.requestUnmount(request.mountPoint());
                throw new MountFailure(MountFailure.FAILED, request.mountPoint() + " did not come up within "
                        + LIVE_TIMEOUT_MS / 1000 + " s");
            }
            sleep(20);
        }
    }

    private void setReadAhead(FileSystem fs) {
        int kb = request.options().readAheadKb() > 0 ? request.options().readAheadKb()
                : Math.max(1024, fs.blockSize() / 1024);
        try {
            log.info("read-ahead {} KiB via {}", kb, ReadAhead.set(request.mountPoint(), kb));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot set the read-ahead of {}: {}", request.mountPoint(), e.toString());
        }
    }

    /** Tells a waiting parent (background mount) that the mount and its services are up. */
    private void signalReady() {
        String readyFile = System.getProperty(BackgroundMount.READY_FILE_PROPERTY);
        if (readyFile != null) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(readyFile), Long.toString(ProcessHandle
                        .current().pid()));
            } catch (IOException e) {
                log.warn("cannot write the ready file {}: {}", readyFile, e.toString());
            }
        }
    }

    /** SIGTERM/SIGINT: unmount (which ends the FUSE loop), then wait until {@link #run} has closed the engine. */
    private void shutDownOnSignal() {
        if (!loopEnded) {
            log.info("signalled: unmounting {}", request.mountPoint());
            backend.requestUnmount(request.mountPoint());
        }
        try {
            if (!finished.await(SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                log.error("the file system was not closed within {} s of the signal", SHUTDOWN_TIMEOUT_MS / 1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running and waits for us
        }
    }

    private static void stopCommits(PeriodicCommit commits) {
        if (commits == null) {
            return;
        }
        try {
            commits.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeEngine(FileSystem fs) {
        try {
            fs.close();
            log.info("{} flushed and closed", request.source());
        } catch (IOException | RuntimeException e) {
            log.error("closing the file system on {} failed; run fsck.ext3ns on it", request.source(), e);
        }
    }

    private static void closeQuietly(BlockDevice device) {
        try {
            device.close();
        } catch (IOException | RuntimeException e) {
            log.warn("closing {} failed: {}", device.name(), e.toString());
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinQuietly(Thread thread, long ms) {
        try {
            thread.join(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
