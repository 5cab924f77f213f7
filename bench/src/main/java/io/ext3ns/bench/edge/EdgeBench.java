package io.ext3ns.bench.edge;

import io.ext3ns.bench.shooter.Popularity;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.FileMember;
import io.ext3ns.stream.origin.OriginConfig;
import io.ext3ns.stream.origin.OriginProcesses;
import io.ext3ns.stream.origin.OriginStore;
import io.ext3ns.stream.server.ServerConfig;
import io.ext3ns.stream.server.StreamingServer;
import io.ext3ns.stream.session.DataPath;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * bin/ext3ns-bench-edge (docs/benchmarks.md, "Edge"): an edge store in front of an nginx origin whose per-connection
 * rate is limited, a Zipf-popular library about ten times the edge's volume, requests arriving as a Poisson process
 * (the shooter's {@link Popularity}), each an HTTP download of a whole title. The same request sequence runs twice on
 * a fresh edge: with prefix serving (a title plays while it fills) and as a plain pull-through (a request for a
 * missing title waits for all of it). Reported: origin bytes per served byte, and time to first byte for requests
 * that found their title cold (not complete in the store) or warm.
 */
@Command(name = "ext3ns-bench-edge", mixinStandardHelpOptions = true,
        description = "Edge store vs plain pull-through: origin bytes per served byte, first-byte latency cold/warm.")
public final class EdgeBench implements Callable<Integer> {
    @Option(names = "--titles", description = "titles in the origin's library (default ${DEFAULT-VALUE})")
    int titles = 120;

    @Option(names = "--title-mb", description = "size of each title in MiB (default ${DEFAULT-VALUE})")
    int titleMb = 4;

    @Option(names = "--edge-mb", description = "edge volume in MiB (default: a tenth of the library)")
    Integer edgeMb;

    @Option(names = "--requests", description = "requests per run (default ${DEFAULT-VALUE})")
    int requests = 200;

    @Option(names = "--rate", description = "Poisson arrivals per second (default ${DEFAULT-VALUE})")
    double rate = 4;

    @Option(names = "--zipf", description = "Zipf exponent of title popularity (default ${DEFAULT-VALUE})")
    double zipf = 0.8;

    @Option(names = "--origin-rate", description = "nginx limit_rate per connection (default ${DEFAULT-VALUE})")
    String originRate = "8m";

    @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
    long seed = 21;

    /** One request: refused when the edge answered 502 (origin unavailable or no room for a new title). */
    private record Result(boolean cold, long firstByteNanos, long bytes, boolean refused) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new EdgeBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (titles < 1 || titles > 10_000 || titleMb < 1 || titleMb > 1024 || requests < 1 || requests > 100_000
                || !(rate > 0) || !(zipf >= 0)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "titles 1..10000, title-mb 1..1024, "
                    + "requests 1..100000, rate > 0, zipf >= 0");
        }
        int edge = edgeMb != null ? edgeMb : Math.max(16, titles * titleMb / 10);
        Path work = Files.createTempDirectory("ext3ns-bench-edge");
        try {
            Path docroot = Files.createDirectories(work.resolve("origin"));
            byte[] chunk = new byte[1 << 20];
            Random random = new Random(seed);
            for (int i = 0; i < titles; i++) {
                try (OutputStream out = Files.newOutputStream(docroot.resolve("t" + i + ".ts"))) {
                    for (int m = 0; m < titleMb; m++) {
                        random.nextBytes(chunk);
                        out.write(chunk);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "library: %d titles of %d MiB (%d MiB) at an nginx origin limited to %s/s"
                    + " per connection; edge volume %d MiB; %d requests, Poisson %.1f/s, Zipf %.2f%n", titles,
                    titleMb, titles * titleMb, originRate, edge, requests, rate, zipf);
            try (OriginProcesses.Child nginx = OriginProcesses.nginx(docroot,
                    Files.createDirectories(work.resolve("nginx")), originRate)) {
                String url = "http://127.0.0.1:" + nginx.port + "/slow/";
                System.out.println("| mode | requests (cold, refused) | origin MiB | served MiB | origin/served "
                        + "| first byte cold p50 / p95 ms | first byte warm p50 / p95 ms |");
                System.out.println("|---|---|---|---|---|---|---|");
                for (String prefix : List.of("on", "off")) {
                    run(work, url, edge, prefix);
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return 0;
    }

    private void run(Path work, String url, int edgeMiB, String prefix) throws Exception {
        Path image = work.resolve("edge-" + prefix + ".img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength((long) edgeMiB << 20);
        }
        try (FileMember device = new FileMember(image, false)) {
            VolumeFormatter.format(device, FormatSpec.builder().blockSize(1 << 20).build());
        }
        List<Result> results = new ArrayList<>();
        long originBytes;
        try (Ext3FileSystem fs = Ext3FileSystem.open(new FileMember(image, false), EngineOptions.defaults());
             OriginStore store = OriginStore.open(fs, OriginConfig.fromOptions(Map.of("origin", url,
                     "origin_prefix", prefix, "origin_high", "90", "origin_low", "70")));
             StreamingServer server = StreamingServer.start(store, ServerConfig.defaults()
                     .withBindAddress(InetAddress.getLoopbackAddress()).withPorts(ServerConfig.DISABLED, 0)
                     .withEngine(DataPath.BATCHED, 2, 64L << 20), List.of(store.metrics()))) {
            Popularity popularity = new Popularity(titles, zipf, rate, seed); // the same sequence for both modes
            ExecutorService pool = Executors.newCachedThreadPool();
            List<Future<Result>> pending = new ArrayList<>();
            long next = System.nanoTime();
            for (int i = 0; i < requests; i++) {
                next += popularity.nextGapNanos();
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the arrival schedule, not a wait for a condition
                }
                String path = "/t" + popularity.nextTitle() + ".ts";
                boolean cold = !store.isComplete(path);
                String target = "http://127.0.0.1:" + server.httpPort() + path;
                pending.add(pool.submit(() -> get(target, cold)));
            }
            for (Future<Result> r : pending) {
                try {
                    results.add(r.get(10, TimeUnit.MINUTES));
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IOException("a request failed: " + e.getCause(), e.getCause());
                }
            }
            pool.shutdown();
            originBytes = store.metrics().bytesFetched();
        }
        long served = results.stream().mapToLong(Result::bytes).sum();
        long refused = results.stream().filter(Result::refused).count();
        List<Long> cold = results.stream().filter(r -> r.cold() && !r.refused()).map(Result::firstByteNanos)
                .sorted().toList();
        List<Long> warm = results.stream().filter(r -> !r.cold() && !r.refused()).map(Result::firstByteNanos)
                .sorted().toList();
        System.out.printf(Locale.ROOT, "| %s | %d (%d, %d refused) | %.0f | %.0f | %.3f | %s | %s |%n",
                prefix.equals("on") ? "edge, prefix serving" : "plain pull-through", results.size(), cold.size(),
                refused,
                originBytes / 1048576.0, served / 1048576.0, (double) originBytes / Math.max(1, served),
                percentiles(cold), percentiles(warm));
    }

    private static String percentiles(List<Long> sorted) {
        if (sorted.isEmpty()) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.1f / %.1f", sorted.get((sorted.size() - 1) / 2) / 1e6,
                sorted.get((int) Math.ceil(sorted.size() * 0.95) - 1) / 1e6);
    }

    private static Result get(String url, boolean cold) throws IOException {
        long start = System.nanoTime();
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setReadTimeout(600_000);
        if (c.getResponseCode() == 502) {
            c.disconnect();
            return new Result(cold, 0, 0, true);
        }
        if (c.getResponseCode() != 200) {
            throw new IOException(url + " answered " + c.getResponseCode());
        }
        try (InputStream in = c.getInputStream()) {
            int b = in.read();
            long first = System.nanoTime() - start;
            long n = b < 0 ? 0 : 1 + in.transferTo(OutputStream.nullOutputStream());
            return new Result(cold, first, n, false);
        }
    }
}
