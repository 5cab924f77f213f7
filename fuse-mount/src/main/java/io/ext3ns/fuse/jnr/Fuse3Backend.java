package io.ext3ns.fuse.jnr;

import io.ext3ns.fuse.ops.FuseBackend;
import io.ext3ns.fuse.ops.FuseOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * libfuse 3 (libfuse3.so.3, bound here through jnr-ffi) as a {@link FuseBackend}. Serves like {@link JnrFuseBackend}
 * (blocking, in the calling thread, -s unless multi-threaded, fusermount -u to end), but libfuse 3 negotiates
 * FUSE_MAX_PAGES, so the kernel sends reads and writes of up to 1 MiB instead of 128 KiB: measured on this 2-vCPU VM,
 * each FUSE round trip costs two cross-CPU wake-ups, so eight times fewer of them is most of the write speed.
 *
 * <p>Options: libfuse 3 always asks for big writes; how the mount's options map onto it is {@link Fuse3Options}.
 */
public final class Fuse3Backend implements FuseBackend {
    private static final Logger log = LoggerFactory.getLogger(Fuse3Backend.class);
    private final LibFuse3 lib;

    private Fuse3Backend(LibFuse3 lib) {
        this.lib = lib;
    }

    /** The backend, or null (with the reason in {@code why}) where libfuse 3 is not installed. */
    public static Fuse3Backend loadOrNull(StringBuilder why) {
        LibFuse3 lib = LibFuse3.loadOrNull(why);
        return lib == null ? null : new Fuse3Backend(lib);
    }

    @Override
    public int serve(Path mountPoint, String fsName, List<String> options, boolean multiThreaded, FuseOps ops) {
        Fuse3Options parsed = Fuse3Options.parse(options);
        Fuse3Adapter adapter = new Fuse3Adapter(ops, lib, parsed::applyTo);
        List<String> argv = new ArrayList<>(List.of(SUBTYPE, "-f", mountPoint.toAbsolutePath().toString()));
        if (!multiThreaded) {
            argv.add("-s");
        }
        argv.add("-o");
        argv.add(FuseCommandLine.options(parsed.commandLine(), fsName));
        String[] args = argv.toArray(String[]::new);
        log.info("serving {} through libfuse 3 (requests up to 1 MiB)", mountPoint);
        int status = lib.fuse_main_real(args.length, args, adapter.operations(), adapter.operationsSize(), null);
        if (status != 0) {
            log.error("libfuse 3 could not serve {} (status {})", mountPoint, status);
        }
        return status;
    }

    /** FUSE_CAP_POSIX_ACL is asked for in init() ({@link Fuse3Options}); kernels since 4.9 offer it. */
    @Override
    public boolean enforcesPosixAcls() {
        return true;
    }

    @Override
    public void requestUnmount(Path mountPoint) {
        FuseCommandLine.unmount(mountPoint);
    }
}
