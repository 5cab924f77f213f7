package io.ext3ns.stream.server;

import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.util.MemberList;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.stream.access.AccessPolicy;
import io.ext3ns.stream.access.CorsPolicy;
import io.ext3ns.stream.access.UrlSecret;
import io.ext3ns.stream.nativeio.SystemdNotify;
import io.ext3ns.stream.origin.OriginConfig;
import io.ext3ns.stream.origin.OriginStore;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.SessionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * ext3ns-serve: opens an EXT3NS volume (one image or the members of a Stream Disk Array) and serves its files over
 * RTSP and HTTP until interrupted. Read-only unless --rw (then files written by another process are not seen: use
 * mount.ext3ns -o rtsp=,http= to serve a volume that is being written).
 */
@Command(name = "ext3ns-serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve the files of an EXT3NS volume to players over RTSP (RTP/MP2T) and HTTP (byte ranges).")
public final class ServeMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeMain.class);

    @Parameters(arity = "1..*", paramLabel = "MEMBER",
            description = "image or member files, in array order (MEMBER,MEMBER or MEMBER MEMBER)")
    List<String> members;

    @Option(names = "--rtsp", paramLabel = "PORT", description = "RTSP port (default ${DEFAULT-VALUE}; -1 off)")
    int rtsp = 8554;

    @Option(names = "--http", paramLabel = "PORT", description = "HTTP port (default ${DEFAULT-VALUE}; -1 off)")
    int http = 8080;

    @Option(names = {"--https", "--https-port"}, paramLabel = "PORT",
            description = "HTTPS port, on when --tls-cert and --tls-key are given (default "
                    + ServerConfig.DEFAULT_HTTPS_PORT + " then; plain HTTP stays on --http)")
    int https = ServerConfig.DISABLED;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "certificate chain for HTTPS, PEM, leaf first (see docs/server.md, \"TLS\")")
    String tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "its private key, PEM, unencrypted PKCS#8 (RSA or EC)")
    String tlsKey;

    @Option(names = "--bind", paramLabel = "ADDR", description = "address to listen on (default ${DEFAULT-VALUE})")
    String bind = "0.0.0.0";

    @Option(names = "--rw", description = "open the volume read-write (default read-only)")
    boolean readWrite;

    @Option(names = "--path", description = "UDP send path: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    DataPath path = DataPath.BATCHED;

    @Option(names = "--schedulers", description = "pacing/sending threads (default: one per core)")
    int schedulers = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Option(names = "--pool-mb", description = "pinned memory for file data in MiB: the block cache (at least its"
            + " default size) and trick play's pictures (default ${DEFAULT-VALUE})")
    long poolMb = 1024;

    @Option(names = "--max-sessions", description = "sessions in total (default ${DEFAULT-VALUE})")
    int maxSessions = 4000;

    @Option(names = "--max-sessions-per-client", description = "sessions per client address (default ${DEFAULT-VALUE})")
    int maxPerClient = 2000;

    @Option(names = "--session-timeout", description = "seconds a session lives without a request (default ${DEFAULT-VALUE})")
    int timeoutSeconds = 60;

    @Option(names = "--max-connections", description = "RTSP and HTTP connections in total (default ${DEFAULT-VALUE})")
    int maxConnections = ServerConfig.defaults().maxConnections();

    @Option(names = "--max-connections-per-client",
            description = "connections one client address may hold (default ${DEFAULT-VALUE})")
    int maxConnectionsPerClient = ServerConfig.DEFAULT_CONNECTIONS_PER_CLIENT;

    @Option(names = "--header-timeout", paramLabel = "SECONDS",
            description = "seconds a client has to send a whole request head, from connecting or its first byte; "
                    + "then 408 and close (default ${DEFAULT-VALUE})")
    int headerTimeoutSeconds = (int) ServerConfig.DEFAULT_HEADER_TIMEOUT.toSeconds();

    @Option(names = "--realtime", paramLabel = "PRIORITY",
            description = "run pacing, I/O and GC threads SCHED_FIFO at this priority, 0 for normal (default "
                    + "${DEFAULT-VALUE}; needs CAP_SYS_NICE; see docs/server.md)")
    int realtime;

    @Option(names = "--send-window-ms", paramLabel = "MS",
            description = "packets due within this many ms leave together in one burst, at most that early "
                    + "(default ${DEFAULT-VALUE}; larger: fewer system calls and wake-ups per stream)")
    double sendWindowMs = SessionOptions.defaults().burstWindowNanos() / 1e6;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = "let web pages of ORIGIN (scheme://host[:port]; several separated by spaces) or of any "
                    + "origin (*) read media, playlists and /metrics: CORS headers, OPTIONS preflight (default: off)")
    String corsOrigin;

    @Option(names = "--url-secret", paramLabel = "FILE",
            description = "require signed URLs (?exp=&sig=, made by ext3ns-sign) on HTTP and RTSP, keyed with the "
                    + "secret in FILE (at least 16 bytes, not readable by others; default: no signing)")
    java.nio.file.Path urlSecret;

    @Option(names = "--hls-segment-seconds", paramLabel = "SECONDS",
            description = "target duration of HLS media segments, cut at the key frame nearest to it, 1..60 "
                    + "(default ${DEFAULT-VALUE})")
    int hlsSegmentSeconds = (int) ServerConfig.DEFAULT_HLS_SEGMENT.toSeconds();

    @Option(names = "--origin", paramLabel = "URL",
            description = "edge mode (docs/edge.md): titles missing from the volume are filled from URL, an "
                    + "http(s):// base or s3://BUCKET/PREFIX, and served while they fill; implies --rw")
    String origin;

    @Option(names = "--origin-endpoint", paramLabel = "URL",
            description = "S3 API endpoint of a self-hosted store (path-style; MinIO, Ceph RGW, s3proxy)")
    String originEndpoint;

    @Option(names = "--origin-region", paramLabel = "REGION", description = "S3 region (default us-east-1)")
    String originRegion;

    @Option(names = "--origin-credentials", paramLabel = "FILE",
            description = "file with aws_access_key_id= and aws_secret_access_key= (default: the AWS SDK's chain: "
                    + "environment, ~/.aws)")
    String originCredentials;

    @Option(names = "--origin-high", paramLabel = "PERCENT",
            description = "purge origin titles when the volume passes this %% used (default "
                    + OriginConfig.DEFAULT_HIGH + ")")
    Integer originHigh;

    @Option(names = "--origin-low", paramLabel = "PERCENT",
            description = "purge down to this %% used (default " + OriginConfig.DEFAULT_LOW + ")")
    Integer originLow;

    @Option(names = "--origin-revalidate", paramLabel = "SECONDS",
            description = "check a stored title against its origin object after this long (default "
                    + OriginConfig.DEFAULT_REVALIDATE_SECONDS + "; 0: on every request)")
    Integer originRevalidate;

    @Option(names = "--origin-prefix", paramLabel = "on|off",
            description = "serve a title while it fills from the origin (default on); off: a request waits for "
                    + "the whole title (plain pull-through)")
    String originPrefix;

    /** The --origin-* options as the mount's -o keys, or null without --origin. */
    OriginConfig originConfig() {
        if (origin == null) {
            return null;
        }
        java.util.Map<String, String> o = new java.util.HashMap<>();
        o.put("origin", origin);
        putIf(o, "origin_endpoint", originEndpoint);
        putIf(o, "origin_region", originRegion);
        putIf(o, "origin_credentials", originCredentials);
        putIf(o, "origin_high", originHigh);
        putIf(o, "origin_low", originLow);
        putIf(o, "origin_revalidate", originRevalidate);
        putIf(o, "origin_prefix", originPrefix);
        return OriginConfig.fromOptions(o);
    }

    private static void putIf(java.util.Map<String, String> o, String key, Object value) {
        if (value != null) {
            o.put(key, value.toString());
        }
    }

    public static void main(String[] args) {
        System.exit(CommandRunner.run("ext3ns-serve", new ServeMain(), args));
    }

    @Override
    public Integer call() throws Exception {
        ServerConfig config = ServerConfig.defaults().withBindAddress(InetAddress.getByName(bind)).withPorts(rtsp, http)
                .withSessionLimits(maxPerClient, maxSessions, Duration.ofSeconds(timeoutSeconds))
                .withEngine(path, schedulers, poolMb << 20).withRealtimePriority(realtime)
                .withSendWindow(Duration.ofNanos(Math.round(sendWindowMs * 1e6)))
                .withConnectionLimits(maxConnections, maxConnectionsPerClient,
                        Duration.ofSeconds(headerTimeoutSeconds))
                .withAccess(new AccessPolicy(CorsPolicy.parse(corsOrigin),
                        urlSecret == null ? null : UrlSecret.read(urlSecret)))
                .withHlsSegment(Duration.ofSeconds(hlsSegmentSeconds))
                .withHttps(ServerConfig.https(https, tlsCert, tlsKey));
        if (config.https() != null) { // a bad certificate or key stops here, before the volume is opened
            io.ext3ns.stream.tls.PemCredentials.load(config.https().certificate(), config.https().key());
        }
        OriginConfig originConfig = originConfig(); // a bad origin option stops here, before the volume is opened
        boolean rw = readWrite || originConfig != null;
        BlockDevice device = BlockDevices.open(MemberList.parse(members), !rw);
        Ext3FileSystem fs;
        try {
            // --pool sized the server's file-data memory; that memory is now the volume's block cache
            EngineOptions defaults = EngineOptions.defaults();
            long cacheBytes = Math.max(defaults.dataCacheBytes(), config.poolBytes());
            fs = Ext3FileSystem.open(device, defaults.withReadOnly(!rw).withCaches(
                    defaults.metadataCacheBytes(), cacheBytes));
            LOG.info("{}: block cache of up to {} MiB in units of {} KiB", device.name(), cacheBytes >> 20,
                    fs.cacheUnitBytes() >> 10);
        } catch (Exception e) {
            device.close();
            throw e;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            try {
                closed.await(30, TimeUnit.SECONDS); // let main close the server and flush the volume
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "serve-shutdown"));
        try (fs; OriginStore edge = originConfig == null ? null : OriginStore.open(fs, originConfig);
             StreamingServer server = edge == null ? StreamingServer.start(fs, config)
                     : StreamingServer.start(edge, config, List.of(edge.metrics()))) {
            System.out.printf("ext3ns-serve: %s%s; send path %s%s; Ctrl-C stops%n",
                    server.rtspPort() > 0 ? "rtsp://" + bind + ":" + server.rtspPort() + "/ " : "",
                    (server.httpPort() > 0 ? "http://" + bind + ":" + server.httpPort() + "/ " : "")
                            + (server.httpsPort() > 0 ? "https://" + bind + ":" + server.httpsPort() + "/" : ""),
                    path, urlSecret == null ? "" : "; signed URLs only");
            SystemdNotify.ready("serving: RTSP port " + server.rtspPort() + ", HTTP port " + server.httpPort()
                    + (server.httpsPort() > 0 ? ", HTTPS port " + server.httpsPort() : ""));
            stopRequested.await();
            SystemdNotify.stopping();
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
