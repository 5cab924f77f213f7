package io.ext3ns.fuse.mount;

import io.ext3ns.fs.engine.AtimePolicy;

import io.ext3ns.stream.origin.OriginConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The -o options of mount.ext3ns, parsed once: ours (ro/rw, cache=, metacache=, readahead=, commit=, logfile=,
 * multithread, libfuse= or transport=, rtsp=, http=, relatime/strictatime/norelatime/noatime/atime, ext3's
 * acl/noacl and user_xattr/nouser_xattr), FUSE's
 * that we pass on (allow_other, default_permissions, attr_timeout=, ...), and mount(8)'s bookkeeping options that
 * only mean something in fstab (defaults, noauto, _netdev, ...), which are dropped.
 *
 * @param cacheBytes    the engine's data-block cache (cache=SIZE), 0 for the engine's default
 * @param metaCacheBytes the engine's metadata cache (metacache=SIZE), 0 for the engine's default
 * @param readAheadKb   the mount's read-ahead after mounting, 0 for our default (one file-system block, ≥ 1 MiB)
 * @param logFile       where a background mount process writes its log, null for the default
 * @param services      options for mount extensions (rtsp=PORT, http=PORT, ...), in the order given
 * @param multiThreaded libfuse's multi-threaded loop (option multithread) instead of the default single thread
 * @param libfuse       the libfuse version to serve through (libfuse=2|3, or transport=libfuse2|libfuse3),
 *                      {@link #TRANSPORT_KERNEL} for transport=kernel, 0 for the best installed
 * @param fuseOptions   options passed to FUSE unchanged
 * @param atime         when reads set atime: relatime (the default, as the kernel mounts ext3), strictatime
 *                      (or norelatime), noatime; the last one given wins, and atime undoes noatime
 * @param xattrs        ext3's acl/noacl and user_xattr/nouser_xattr (both on by default, as ext3 mounts)
 */
public record MountOptions(boolean readOnly, long cacheBytes, long metaCacheBytes, int readAheadKb, int commitSeconds,
                           Path logFile, Map<String, String> services, boolean multiThreaded, int libfuse,
                           List<String> fuseOptions, AtimePolicy atime, Xattrs xattrs) {

    /** ext3's extended-attribute mount options. */
    public record Xattrs(boolean acl, boolean userXattr) {
        public static final Xattrs DEFAULT = new Xattrs(true, true);
    }

    /** ext3's default commit interval: a read-write mount syncs (one journal transaction) this often. */
    public static final int DEFAULT_COMMIT_SECONDS = 5;

    /**
     * Service options reserved for the streaming server started from the mounting process: its ports, and settings
     * passed on as given (the server checks them when it starts: bind address, request-head deadline in seconds,
     * connections per client address, CORS origin, URL-signing secret file, pinned pool size, HLS segment target,
     * HTTPS port and the PEM files of its certificate and key).
     */
    public static final Set<String> SERVICE_KEYS = Set.of("rtsp", "http", "bind", "header_timeout",
            "max_conn_per_client", "cors_origin", "url_secret", "pool", "hls_segment", "https", "tls_cert", "tls_key");
    private static final Set<String> SERVICE_PORTS = Set.of("rtsp", "http", "https");

    /** FUSE options passed through as given (libfuse 2.9 accepts them). */
    private static final Set<String> FUSE_FLAGS = Set.of("allow_other", "allow_root", "default_permissions",
            "kernel_cache", "auto_cache", "direct_io", "nonempty", "dev", "nodev", "suid", "nosuid", "exec",
            "noexec", "atime", "noatime", "sync", "async", "dirsync");
    private static final Set<String> FUSE_VALUED = Set.of("attr_timeout", "entry_timeout", "negative_timeout",
            "max_background", "congestion_threshold", "umask", "uid", "gid");
    /** mount(8)/fstab bookkeeping with no meaning to the file system. */
    private static final Set<String> IGNORED = Set.of("defaults", "auto", "noauto", "user", "users", "nouser",
            "owner", "group", "_netdev", "nofail", "lazytime",
            "nolazytime", "loud", "silent");

    public static MountOptions parse(List<String> optionStrings) {
        boolean readOnly = false;
        long cache = 0;
        long metaCache = 0;
        int readAhead = 0;
        int commit = DEFAULT_COMMIT_SECONDS;
        Path logFile = null;
        boolean multiThreaded = false;
        int libfuse = 0;
        AtimePolicy atime = AtimePolicy.RELATIME;
        Map<String, String> services = new LinkedHashMap<>();
        List<String> fuse = new ArrayList<>();
        boolean acl = true;
        boolean userXattr = true;
        for (String group : optionStrings) {
            for (String option : group.split(",")) {
                if (option.isEmpty()) {
                    continue;
                }
                int eq = option.indexOf('=');
                String key = eq < 0 ? option : option.substring(0, eq);
                String value = eq < 0 ? null : option.substring(eq + 1);
                if (key.equals("ro") || key.equals("rw")) {
                    readOnly = key.equals("ro");
                } else if (key.equals("cache")) {
                    cache = parseSize(key, required(key, value));
                } else if (key.equals("metacache")) {
                    metaCache = parseSize(key, required(key, value));
                } else if (key.equals("readahead")) {
                    readAhead = parseReadAheadKb(required(key, value));
                } else if (key.equals("commit")) {
                    commit = parseCommitSeconds(required(key, value));
                } else if ((key.equals("acl") || key.equals("noacl")) && value == null) {
                    acl = key.equals("acl");
                } else if ((key.equals("user_xattr") || key.equals("nouser_xattr")) && value == null) {
                    userXattr = key.equals("user_xattr");
                } else if (key.equals("multithread") && value == null) {
                    multiThreaded = true;
                } else if (key.equals("libfuse")) {
                    libfuse = parseLibfuse(required(key, value));
                } else if (key.equals("transport")) {
                    libfuse = parseTransport(required(key, value));
                } else if (key.equals("logfile")) {
                    logFile = Path.of(required(key, value));
                } else if (value == null && (key.equals("relatime") || key.equals("strictatime")
                        || key.equals("norelatime"))) {
                    atime = key.equals("relatime") ? AtimePolicy.RELATIME : AtimePolicy.STRICTATIME;
                } else if (SERVICE_PORTS.contains(key)) {
                    services.put(key, String.valueOf(parsePort(key, required(key, value))));
                } else if (key.equals("url_secret")) { // the mount process later runs in "/": resolve it now
                    services.put(key, Path.of(required(key, value)).toAbsolutePath().normalize().toString());
                } else if (SERVICE_KEYS.contains(key)) {
                    services.put(key, required(key, value));
                } else if (OriginConfig.KEYS.contains(key)) { // edge store (OriginMount); a file as an absolute path
                    services.put(key, key.equals("origin_credentials")
                            ? Path.of(required(key, value)).toAbsolutePath().normalize().toString()
                            : required(key, value));
                } else if (FUSE_FLAGS.contains(key) && value == null
                        || FUSE_VALUED.contains(key) && value != null && !value.isEmpty()) {
                    fuse.add(option);
                    if (key.equals("noatime")) {
                        atime = AtimePolicy.NOATIME;
                    } else if (key.equals("atime") && atime == AtimePolicy.NOATIME) {
                        atime = AtimePolicy.RELATIME;
                    }
                } else if (IGNORED.contains(key) || key.startsWith("x-") || key.equals("comment")) {
                    continue;
                } else {
                    throw new IllegalArgumentException("unknown mount option \"" + option + "\"");
                }
            }
        }
        OriginMount.validate(services);
        return new MountOptions(readOnly, cache, metaCache, readAhead, commit, logFile, services, multiThreaded,
                libfuse, fuse, atime, new Xattrs(acl, userXattr));
    }

    private static int parseLibfuse(String value) {
        return switch (value) {
            case "2" -> 2;
            case "3" -> 3;
            default -> throw new IllegalArgumentException("mount option libfuse=" + value + " must be 2 or 3");
        };
    }

    /** {@link #libfuse} of transport=kernel: the kernel's protocol on /dev/fuse (its major version, 7). */
    public static final int TRANSPORT_KERNEL = 7;

    /** transport=libfuse3|libfuse2|kernel: the FUSE transport by name (libfuse=3|2 says the same). */
    private static int parseTransport(String value) {
        return switch (value) {
            case "libfuse2" -> 2;
            case "libfuse3" -> 3;
            case "kernel" -> TRANSPORT_KERNEL;
            default -> throw new IllegalArgumentException("mount option transport=" + value
                    + " must be libfuse3, libfuse2 or kernel");
        };
    }

    private static String required(String key, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("mount option " + key + "= needs a value");
        }
        return value;
    }

    /** commit=N as ext3 takes it: seconds between commits; 0 means the default. */
    private static int parseCommitSeconds(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n < 0 || n > 86_400) {
                throw new NumberFormatException();
            }
            return n == 0 ? DEFAULT_COMMIT_SECONDS : n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mount option commit=" + text + " is not a number of seconds (0..86400)");
        }
    }

    /** "256M", "1G", "65536": binary units; a trailing K/M/G/T (case-insensitive). */
    static long parseSize(String key, String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int shift = 0;
        char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (unit) {
            case 'K' -> shift = 10;
            case 'M' -> shift = 20;
            case 'G' -> shift = 30;
            case 'T' -> shift = 40;
            default -> { }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        try {
            long n = Long.parseLong(digits);
            if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("mount option " + key + "=" + text
                    + " is not a size (e.g. 256M, 1G)");
        }
    }

    /** readahead=N is in KiB like /sys's read_ahead_kb; a unit (4M) is accepted too. */
    private static int parseReadAheadKb(String text) {
        boolean bare = text.chars().allMatch(Character::isDigit);
        long kb = bare ? parseSize("readahead", text + "K") >> 10 : parseSize("readahead", text) >> 10;
        if (kb < 1 || kb > 1 << 20) {
            throw new IllegalArgumentException("mount option readahead=" + text + " is out of range (1 to 1048576 KiB)");
        }
        return (int) kb;
    }

    private static int parsePort(String key, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("mount option " + key + "=" + text + " is not a TCP port (1-65535)");
    }
}
