package io.ext3ns.bench.shooter;

import io.ext3ns.stream.testkit.RtspClient;
import io.ext3ns.stream.server.CommandRunner;
import io.ext3ns.stream.server.RealtimePacing;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.sda.FileMember;
import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.SessionOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * ext3ns-shooter, after the paper's PseudoPlayer: N virtual RTSP players (Poisson arrivals, Zipf popularity over the
 * titles, UDP receivers that timestamp every packet, many per thread) against the server running in this process on
 * a fresh EXT3NS volume. For each N it measures, over a window once everyone plays, the share of packets that left
 * the server within 5 ms of their PCR schedule (the server's own per-packet lateness histogram), the server's CPU per
 * stream, and what the players heard (loss, jitter). The largest N with at least 99.9 % of packets within 5 ms is
 * the node's capacity. Each send path given is measured in the same run, and their ratio printed.
 */
@Command(name = "ext3ns-shooter", mixinStandardHelpOptions = true, sortOptions = false,
        description = "How many paced RTSP streams one node serves: PseudoPlayer-style load against the server.")
public final class ShooterMain implements Callable<Integer> {
    @Option(names = "--streams", split = ",", description = "stream counts to try, ascending (default ${DEFAULT-VALUE})")
    List<Integer> steps = List.of(100, 200, 300, 400, 600, 800, 1000);

    @Option(names = "--paths", split = ",", description = "send paths to compare (default ${DEFAULT-VALUE})")
    List<DataPath> paths = List.of(DataPath.BATCHED, DataPath.FAST);

    @Option(names = "--titles", description = "distinct titles (default ${DEFAULT-VALUE})")
    int titles = 8;

    @Option(names = "--zipf", description = "Zipf exponent of title popularity (default ${DEFAULT-VALUE})")
    double zipf = 1.0;

    @Option(names = "--arrivals", description = "Poisson arrival rate, players per second (default ${DEFAULT-VALUE})")
    double arrivals = 200;

    @Option(names = "--bitrate", description = "title bit rate in bit/s (default ${DEFAULT-VALUE})")
    long bitrate = 10_000_000;

    @Option(names = "--seconds", description = "title length; must cover arrivals, warm-up and window (default ${DEFAULT-VALUE})")
    int seconds = 30;

    @Option(names = "--warmup", description = "seconds after the last arrival before measuring (default ${DEFAULT-VALUE})")
    int warmup = 2;

    @Option(names = "--window", description = "seconds measured per step (default ${DEFAULT-VALUE})")
    int window = 8;

    @Option(names = "--block-size", description = "block size of the volume made (default ${DEFAULT-VALUE})")
    int blockSize = 256 * 1024;

    @Option(names = "--schedulers", description = "server pacing/sending threads (default: one per core)")
    int schedulers = Math.max(1, Runtime.getRuntime().availableProcessors());

    @Option(names = "--receivers", description = "player receive threads (default ${DEFAULT-VALUE})")
    int receivers = 1;

    @Option(names = "--player-gro", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "players receive GSO bursts whole with UDP GRO and cut them into RTP packets, as a remote "
                    + "player's work is not on our CPU (default ${DEFAULT-VALUE}; --no-player-gro: the kernel "
                    + "segments every burst to the players on this machine's CPU)")
    boolean playerGro = true;

    @Option(names = "--player-priority", description = "SCHED_FIFO priority of the players' receive and start "
            + "threads, below the server's; 0 for none (default ${DEFAULT-VALUE}). Remote players would not share our "
            + "CPU; at normal priority they starve behind the machine's other load, their socket buffers overflow "
            + "and their SETUPs crawl")
    int playerPriority = 5;

    @Option(names = "--pool-mb", description = "server pinned pool in MiB (default: 3 units per stream of the largest step)")
    long poolMb;

    @Option(names = "--realtime", description = "SCHED_FIFO priority of the server's pacing, I/O and GC threads, "
            + "0 for none (default ${DEFAULT-VALUE}; see docs/server.md)")
    int realtime = 10;

    @Option(names = "--send-window-ms", description = "server: packets due within this many ms leave together in one "
            + "burst (default ${DEFAULT-VALUE}, the engine's default; a packet leaves at most this early)")
    double sendWindowMs = SessionOptions.defaults().burstWindowNanos() / 1e6;

    @Option(names = "--dir", description = "where to make the asset and the volume (default: a temp directory)")
    Path dir;

    @Option(names = "--keep-going", description = "try every step even after one fails")
    boolean keepGoing;

    private static final double REQUIRED = 0.999;
    private static final long LIMIT_MICROS = 5000;
    /**
     * Share of the packets due in the window that must have been sent: a server that falls behind, or sessions that
     * stall, send fewer packets, and lateness alone (measured on packets sent) would not show it. Not 100 %: a
     * window's edges cut bursts (2 ms of 8 s).
     */
    private static final double REQUIRED_SENT = 0.99;
    /** The players' threads: receivers and the ones that start them (RTSP SETUP and PLAY). */
    private static final Pattern PLAYER_THREADS = Pattern.compile("shooter-(rx|start)-\\d+");
    /** Players being started (or torn down) at once. */
    private static final int STARTER_THREADS = 32;

    /** One step's outcome. */
    private record Step(DataPath path, int streams, int started, double offeredGbps, long packets, double sent,
                        double within, long p999Micros, double serverCorePerStream, double serverCores,
                        double clientCores, long heard, long lost, double jitterMs, long gcCount, long gcMillis,
                        double allocPerPacket, double arrivalSeconds) {
        boolean passed() {
            return started == streams && within >= REQUIRED && sent >= REQUIRED_SENT;
        }
    }

    public static void main(String[] args) {
        // one line per session event would be thousands of lines per step, written by the server's event loop
        System.setProperty("org.slf4j.simpleLogger.log.io.ext3ns.stream.rtsp.SessionLog",
                System.getProperty("org.slf4j.simpleLogger.log.io.ext3ns.stream.rtsp.SessionLog", "warn"));
        System.exit(CommandRunner.run("ext3ns-shooter", new ShooterMain(), args));
    }

    @Override
    public Integer call() throws Exception {
        int maxStreams = steps.stream().mapToInt(Integer::intValue).max().orElse(0);
        double longestRamp = maxStreams / arrivals + warmup + window + 2;
        if (longestRamp > seconds) {
            throw new CommandLine.ParameterException(new CommandLine(this), String.format(Locale.ROOT,
                    "titles of %d s are too short for %d arrivals at %.0f/s plus warm-up and window (%.0f s)",
                    seconds, maxStreams, arrivals, longestRamp));
        }
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("ext3ns-shooter");
        Path image = work.resolve("shooter.img");
        try {
            System.out.printf("shooter: making a %d s, %.1f Mbit/s title with ffmpeg ...%n", seconds, bitrate / 1e6);
            Path asset = TitleLibrary.makeAsset(work, seconds, bitrate);
            long bytes = Files.size(asset);
            packetsPerSecond = bytes / (double) RTP_PAYLOAD / seconds;
            long imageBytes = Math.max(256L << 20, (bytes + (4L << 20)) * titles * 5 / 4 + (64L << 20));
            TitleLibrary.format(image, imageBytes, blockSize);
            try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(image, false), EngineOptions.defaults())) {
                List<String> names = TitleLibrary.store(fs, asset, titles);
                System.out.printf("shooter: %d titles of %.1f MB on a %d KiB-block EXT3NS volume; Zipf s=%.2f, "
                                + "Poisson %.0f arrivals/s, send window %.1f ms, %d scheduler thread(s)%s, "
                                + "%s receiver thread(s), %d cores, "
                                + "load average %s%n",
                        titles, bytes / 1e6, blockSize / 1024, zipf, arrivals, sendWindowMs, schedulers,
                        realtime > 0 ? " SCHED_FIFO " + realtime : "",
                        receivers + (playerPriority > 0 ? " SCHED_FIFO " + playerPriority : ""),
                        Runtime.getRuntime().availableProcessors(), loadAverage());
                System.out.println(playerGro
                        ? "shooter: players receive with UDP GRO (a GSO burst arrives whole and is cut into its RTP "
                        + "packets), as remote players cost this machine nothing; the server's send path is unchanged"
                        : "shooter: players receive every packet separately (no GRO): the kernel segments each burst "
                        + "and queues every packet to its player on this machine's CPU");
                Map<DataPath, List<Step>> results = new LinkedHashMap<>();
                for (DataPath path : paths) {
                    results.put(path, ramp(fs, names, path, maxStreams));
                }
                summarize(results);
            }
        } finally {
            Files.deleteIfExists(image);
            if (dir == null) {
                try (var files = Files.list(work)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(work);
            }
        }
        return 0;
    }

    /** RTP payload of a full packet: 7 TS packets. */
    private static final int RTP_PAYLOAD = 7 * 188;
    /** RTP packets per second of one stream of the title made. */
    private double packetsPerSecond;

    private List<Step> ramp(Ext3FileSystem fs, List<String> names, DataPath path, int maxStreams) throws Exception {
        long unit = Math.max(blockSize, 128 * 1024);
        long pool = poolMb > 0 ? poolMb << 20 : Math.max(64L << 20, 3L * maxStreams * unit);
        ServerConfig config = ServerConfig.defaults()
                .withSessionLimits(maxStreams + 16, maxStreams + 16, Duration.ofSeconds(120))
                .withConnectionLimits(Math.max(6000, maxStreams + 64), maxStreams + 64, // every player is on loopback
                        ServerConfig.DEFAULT_HEADER_TIMEOUT)
                .withEngine(path, schedulers, pool).withRealtimePriority(realtime)
                .withSendWindow(Duration.ofNanos((long) (sendWindowMs * 1e6)));
        System.out.printf("%n== path %s ==%n%s%n", path, header());
        List<Step> out = new ArrayList<>();
        try (StreamingServer server = StreamingServer.start(fs, config);
             RtspClient stats = new RtspClient("127.0.0.1", server.rtspPort())) {
            String base = "rtsp://127.0.0.1:" + server.rtspPort() + "/";
            for (String name : names) { // build the seek indexes before anyone is timed
                RtspClient.Reply r = stats.request("DESCRIBE", base + name);
                if (r.status() != 200) {
                    throw new IOException("DESCRIBE " + name + ": " + r.status() + " " + r.body());
                }
            }
            for (int n : steps) {
                Step step = runStep(server, stats, base, names, path, n);
                out.add(step);
                System.out.println(format(step) + "  load " + loadAverage());
                if (!step.passed() && !keepGoing) {
                    break;
                }
            }
        }
        return out;
    }

    private Step runStep(StreamingServer server, RtspClient stats, String base, List<String> names, DataPath path,
                         int n) throws Exception {
        Popularity popularity = new Popularity(names.size(), zipf, arrivals, 42L + n);
        List<VirtualPlayer> players = new ArrayList<>(n);
        long[] clientThreads;
        // start every step on an empty heap: what the previous steps (and storing the titles) left is not this
        // step's garbage, and a collection it forced during the window would be charged to this step's lateness
        System.gc();
        try (ReceiverPool pool = new ReceiverPool(receivers, playerGro)) {
            clientThreads = pool.threadIds();
            RealtimePacing playersFifo = playerPriority > 0
                    ? new RealtimePacing(playerPriority, PLAYER_THREADS) : null;
            if (playersFifo != null) {
                playersFifo.apply();
            }
            long arrivalStart = System.nanoTime();
            arrive(server, base, names, popularity, n, pool, players, playersFifo);
            double arrivalSeconds = (System.nanoTime() - arrivalStart) / 1e9;
            Thread.sleep(warmup * 1000L);
            ServerStats before = readStats(stats);
            long clientCpu0 = cpu(clientThreads);
            long heard0 = heard(players);
            long lost0 = lost(players);
            long[] gc0 = gcTotals();
            long t0 = System.nanoTime();
            Thread.sleep(window * 1000L);
            long elapsed = System.nanoTime() - t0;
            long[] gc = gcTotals();
            ServerStats delta = readStats(stats).since(before);
            double clientCores = (cpu(clientThreads) - clientCpu0) / (double) elapsed;
            long heard = heard(players) - heard0;
            long lost = lost(players) - lost0;
            double jitter = players.stream().mapToDouble(p -> p.ears.jitterTicks).average().orElse(0) / 90.0;
            leave(players);
            // the server's own clock between the two readings: the requests may wait behind a busy event loop
            long serverElapsed = delta.clockNanos() > 0 ? delta.clockNanos() : elapsed;
            double serverCores = delta.serverCpuNanos() / (double) serverElapsed;
            int started = players.size();
            double due = started * packetsPerSecond * serverElapsed / 1e9;
            return new Step(path, n, started, started * bitrate / 1e9, delta.packets(),
                    due == 0 ? 1 : delta.packets() / due, delta.fractionWithin(LIMIT_MICROS),
                    delta.quantileMicros(REQUIRED), started == 0 ? 0 : serverCores / started, serverCores,
                    clientCores, heard, lost, jitter, gc[0] - gc0[0], gc[1] - gc0[1],
                    delta.packets() == 0 ? 0 : delta.schedulerAllocBytes() / (double) delta.packets(),
                    arrivalSeconds);
        }
    }

    /**
     * Starts {@code n} players at Poisson arrival times. Each start (SETUP and PLAY round trips) runs on its own
     * task, so a slow reply from a busy server delays that player only, not every arrival after it: started one
     * after another, 1,000 players took tens of seconds under load and the first streams reached the end of their
     * title before the window was measured. A player that fails to start is left out (and the step fails).
     */
    private void arrive(StreamingServer server, String base, List<String> names, Popularity popularity, int n,
                       ReceiverPool pool, List<VirtualPlayer> players, RealtimePacing playersFifo)
            throws InterruptedException {
        ExecutorService starters = Executors.newFixedThreadPool(STARTER_THREADS, daemon("shooter-start"));
        try {
            starters.invokeAll(java.util.Collections.nCopies(STARTER_THREADS, () -> null)); // start the threads
            if (playersFifo != null) {
                playersFifo.apply();
            }
            List<Future<VirtualPlayer>> starting = new ArrayList<>(n);
            long next = System.nanoTime();
            for (int i = 0; i < n; i++) {
                next += popularity.nextGapNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                String url = base + names.get(popularity.nextTitle());
                starting.add(starters.submit(() -> VirtualPlayer.start("127.0.0.1", server.rtspPort(), url, pool)));
            }
            int failures = 0;
            for (Future<VirtualPlayer> f : starting) {
                try {
                    players.add(f.get());
                } catch (ExecutionException e) {
                    if (failures++ == 0) {
                        System.out.println("  player failed to start: " + e.getCause());
                    }
                }
            }
        } finally {
            starters.shutdownNow();
        }
    }

    /** TEARDOWN of every player, many at once. */
    private static void leave(List<VirtualPlayer> players) throws InterruptedException {
        ExecutorService closers = Executors.newFixedThreadPool(STARTER_THREADS, daemon("shooter-leave"));
        for (VirtualPlayer p : players) {
            closers.execute(() -> {
                try {
                    p.close();
                } catch (IOException e) {
                    // the server may already have ended it; the step's numbers are taken
                }
            });
        }
        closers.shutdown();
        closers.awaitTermination(2, TimeUnit.MINUTES);
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger index = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + index.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /** The 1-minute load average: on a shared machine, what the numbers were measured against. */
    private static String loadAverage() {
        return String.format(Locale.ROOT, "%.1f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static ServerStats readStats(RtspClient stats) throws IOException {
        RtspClient.Reply r = stats.requestWithBody("GET_PARAMETER", "*", StreamingServer.STATS_PARAMETER);
        if (r.status() != 200) {
            throw new IOException("stats: " + r.status());
        }
        return ServerStats.parse(r.body());
    }

    /** Collections and milliseconds spent in them so far, all collectors of this JVM (server and players). */
    private static long[] gcTotals() {
        long count = 0;
        long millis = 0;
        for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    private static long heard(List<VirtualPlayer> players) {
        return players.stream().mapToLong(p -> p.ears.packets).sum();
    }

    private static long lost(List<VirtualPlayer> players) {
        return players.stream().mapToLong(p -> p.ears.lost).sum();
    }

    private static long cpu(long[] threads) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads) {
            sum += Math.max(0, mx.getThreadCpuTime(id));
        }
        return sum;
    }

    private static String header() {
        return String.format(Locale.ROOT, "%7s %7s %6s %7s %10s %7s %9s %9s %11s %8s %8s %8s %8s %7s %6s",
                "streams", "playing", "arr s", "Gbit/s", "packets", "sent %", "<=5ms %", "p99.9 ms", "core/strm %", "server",
                "players", "loss %", "jit ms", "gc n/ms", "B/pkt");
    }

    private static String format(Step s) {
        return String.format(Locale.ROOT,
                "%7d %7d %6.1f %7.2f %10d %7.2f %9.3f %9s %11.3f %8.2f %8.2f %8.3f %8.2f %7s %6.1f  %s",
                s.streams, s.started, s.arrivalSeconds, s.offeredGbps, s.packets, 100 * s.sent, 100 * s.within,
                s.p999Micros == Long.MAX_VALUE ? ">50" : String.format(Locale.ROOT, "%.1f", s.p999Micros / 1000.0),
                100 * s.serverCorePerStream, s.serverCores, s.clientCores,
                s.heard + s.lost == 0 ? 0 : 100.0 * s.lost / (s.heard + s.lost), s.jitterMs,
                s.gcCount + "/" + s.gcMillis, s.allocPerPacket, s.passed() ? "pass" : "FAIL");
    }

    private static void summarize(Map<DataPath, List<Step>> results) {
        System.out.printf("%n== capacity: largest N with >= %.1f %% of packets within %d ms of schedule and >= %.0f %% "
                + "of due packets sent ==%n", 100 * REQUIRED, LIMIT_MICROS / 1000, 100 * REQUIRED_SENT);
        Map<DataPath, Step> best = new LinkedHashMap<>();
        for (var e : results.entrySet()) {
            Step top = null;
            for (Step s : e.getValue()) {
                if (s.passed()) {
                    top = s;
                }
            }
            best.put(e.getKey(), top);
            System.out.printf("%-8s %s%n", e.getKey(), top == null ? "none of the steps passed"
                    : String.format(Locale.ROOT, "%d streams (%.2f Gbit/s), %.3f %% of a core per stream",
                    top.streams, top.offeredGbps, 100 * top.serverCorePerStream));
        }
        List<DataPath> order = new ArrayList<>(best.keySet());
        for (int i = 1; i < order.size(); i++) {
            Step a = best.get(order.get(0));
            Step b = best.get(order.get(i));
            if (a != null && b != null) {
                System.out.printf(Locale.ROOT, "ratio %s/%s: capacity %.2fx, CPU per stream at own capacity %.2fx%n",
                        order.get(0), order.get(i), a.streams / (double) b.streams,
                        a.serverCorePerStream / b.serverCorePerStream);
            }
        }
    }
}
