package io.ext3ns.fuse.jnr;

import io.ext3ns.fuse.ops.FuseBackend;
import io.ext3ns.fuse.ops.FuseOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseException;

import java.nio.file.Path;
import java.util.List;

/**
 * jnr-fuse 0.5.8 (libfuse 2.9) as a {@link FuseBackend}. Runs libfuse's loop in the calling thread (blocking mount),
 * because the non-blocking mount declares success after a fixed 2 s whatever happened; the caller checks the mount
 * itself. Unmounting uses fusermount -u (not jnr-fuse's lazy, unawaited one).
 *
 * <p>Single-threaded by default (libfuse's -s): every upcall then comes on the calling Java thread, which jffi has
 * attached already. libfuse 2.9's multi-threaded loop starts a native worker whenever none is idle and ends workers
 * when more than 10 are idle, and jffi attaches (creating a java.lang.Thread) on each of a native thread's first
 * 1000 upcalls: measured, a fresh multi-threaded mount spends 2-4x the CPU per GiB and per metadata call of a
 * single-threaded one. The engine's device I/O runs behind the loop (read-ahead, write-behind), so one loop thread
 * is not waiting on the disk.
 */
public final class JnrFuseBackend implements FuseBackend {
    private static final Logger log = LoggerFactory.getLogger(JnrFuseBackend.class);
    /** libfuse 2.9 clamps every request to this. */
    static final int MAX_REQUEST = 128 * 1024;

    @Override
    public int serve(Path mountPoint, String fsName, List<String> options, boolean multiThreaded, FuseOps ops) {
        JnrFuseAdapter adapter = new JnrFuseAdapter(ops, SUBTYPE);
        String joined = commandLineOptions(options, fsName);
        try {
            String[] args = multiThreaded ? new String[] {"-o", joined} : new String[] {"-s", "-o", joined};
            log.info("serving {} through libfuse 2 (requests up to 128 KiB)", mountPoint);
            adapter.mount(mountPoint, true, false, args);
            return 0;
        } catch (FuseException e) {
            log.error("libfuse could not serve {}: {}", mountPoint, e.getMessage());
            return 1;
        } finally {
            adapter.forgetMounted();
        }
    }

    /**
     * The -o value for libfuse 2: big_writes (without it the kernel sends 4 KiB writes) and max_read at libfuse 2's
     * ceiling (it never sends more; saying so keeps the kernel from trying), then {@code options}. No hard_remove: as
     * through libfuse 3, fstat of a file unlinked while open would fail (the kernel's GETATTR carries no handle), so
     * libfuse keeps it as .fuse_hidden*, which FileSystemOps hides. libfuse 2 has no POSIX ACL capability: {@value FuseBackend#POSIX_ACL} is
     * dropped (the mount's default_permissions then checks the mode bits only; docs/fuse.md).
     */
    static String commandLineOptions(List<String> options, String fsName) {
        List<String> all = new java.util.ArrayList<>(List.of("big_writes", "max_read=" + MAX_REQUEST));
        options.stream().filter(o -> !o.equals(FuseBackend.POSIX_ACL)).forEach(all::add);
        return FuseCommandLine.options(all, fsName);
    }

    @Override
    public void requestUnmount(Path mountPoint) {
        FuseCommandLine.unmount(mountPoint);
    }
}
