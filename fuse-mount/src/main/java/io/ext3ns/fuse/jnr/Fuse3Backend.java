package io.ext3ns.fuse.jnr;

import io.ext3ns.fuse.FuseBackend;
import io.ext3ns.fuse.FuseOps;
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
 * <p>Options: libfuse 3 always asks for big writes and refuses libfuse 2's nonempty, so that goes. Some options are no longer on its command line but fields
 * set in init(): use_ino and direct_io in struct fuse_config, max_background and congestion_threshold in struct
 * fuse_conn_info.
 */
public final class Fuse3Backend implements FuseBackend {
    private static final Logger log = LoggerFactory.getLogger(Fuse3Backend.class);
    /** Offsets in libfuse 3's struct fuse_conn_info (nine unsigned ints from proto_major on). */
    private static final long CONN_MAX_BACKGROUND = 28;
    private static final long CONN_CONGESTION_THRESHOLD = 32;
    /** Offsets in libfuse 3's struct fuse_config (six ints, three doubles, then ints: ..., hard_remove, use_ino). */
    private static final long CONFIG_USE_INO = 64;
    private static final long CONFIG_DIRECT_IO = 72;

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
        Fuse3Adapter adapter = new Fuse3Adapter(ops, lib);
        List<String> kept = new ArrayList<>();
        int[] conn = {-1, -1};
        boolean[] config = {false, false};
        for (String option : options) {
            if (option.equals("nonempty")) {
                continue;
            } else if (option.equals("use_ino")) {
                config[0] = true;
            } else if (option.equals("direct_io")) {
                config[1] = true;
            } else if (option.startsWith("max_background=")) {
                conn[0] = count(option);
            } else if (option.startsWith("congestion_threshold=")) {
                conn[1] = count(option);
            } else {
                kept.add(option);
            }
        }
        adapter.onInit((c, cfg) -> {
            if (config[0]) {
                cfg.putInt(CONFIG_USE_INO, 1);
            }
            if (config[1]) {
                cfg.putInt(CONFIG_DIRECT_IO, 1);
            }
            if (conn[0] >= 0) {
                c.putInt(CONN_MAX_BACKGROUND, conn[0]);
            }
            if (conn[1] >= 0) {
                c.putInt(CONN_CONGESTION_THRESHOLD, conn[1]);
            }
        });
        List<String> argv = new ArrayList<>(List.of(SUBTYPE, "-f", mountPoint.toAbsolutePath().toString()));
        if (!multiThreaded) {
            argv.add("-s");
        }
        argv.add("-o");
        argv.add(FuseCommandLine.options(kept, fsName));
        String[] args = argv.toArray(String[]::new);
        log.info("serving {} through libfuse 3 (requests up to 1 MiB)", mountPoint);
        int status = lib.fuse_main_real(args.length, args, adapter.operations(), adapter.operationsSize(), null);
        if (status != 0) {
            log.error("libfuse 3 could not serve {} (status {})", mountPoint, status);
        }
        return status;
    }

    /** The number in "key=N" (0..65535, as the kernel's u16 fields take it), or -1 (logged) if it is not one. */
    private static int count(String option) {
        String value = option.substring(option.indexOf('=') + 1);
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= 65535) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        log.warn("ignoring {}: not a number from 0 to 65535", option);
        return -1;
    }

    @Override
    public void requestUnmount(Path mountPoint) {
        FuseCommandLine.unmount(mountPoint);
    }
}
