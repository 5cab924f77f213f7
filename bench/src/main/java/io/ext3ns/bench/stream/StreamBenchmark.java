package io.ext3ns.bench.stream;

import com.sun.management.OperatingSystemMXBean;
import io.ext3ns.fs.api.FileHandle;
import io.ext3ns.fs.api.FileSystem;
import io.ext3ns.fs.engine.EngineOptions;
import io.ext3ns.fs.engine.Ext3FileSystem;
import io.ext3ns.fs.format.FormatSpec;
import io.ext3ns.fs.format.VolumeFormatter;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevice;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.FileMember;
import io.ext3ns.sda.StreamDiskArray;
import io.ext3ns.fs.cache.LeaseTracing;
import io.ext3ns.fs.cache.PinnedBufferPool;
import io.ext3ns.fs.cache.UnitSize;
import io.ext3ns.stream.send.GatheringUdpSink;
import io.ext3ns.stream.session.DataPath;
import io.ext3ns.stream.session.EngineConfig;
import io.ext3ns.stream.session.SessionEnd;
import io.ext3ns.stream.session.SessionOptions;
import io.ext3ns.stream.session.StreamSession;
import io.ext3ns.stream.session.StreamingEngine;
import io.ext3ns.stream.source.FsMediaSource;
import io.ext3ns.stream.source.MediaSource;
import io.ext3ns.stream.source.PlainFileSource;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Sender CPU per GB for the legacy, fast and batched paths: the same MPEG-TS content, in the same run, unpaced to
 * a draining loopback receiver, several repetitions with the path order rotated; medians and ratios printed.
 */
@Command(name = "ext3ns-bench-stream", mixinStandardHelpOptions = true,
        description = "CPU-seconds per GB of RTP payload for the legacy, fast and batched send paths")
public final class StreamBenchmark implements Callable<Integer> {
    @Option(names = "--ts", required = true, description = "MPEG-TS file to stream (looped)")
    Path ts;

    @Option(names = "--source", defaultValue = "ext3ns",
            description = "ext3ns: store the file in a temporary EXT3NS volume and read it in-process (default); "
                    + "file: read the host file directly")
    String source;

    @Option(names = "--work", description = "directory for the temporary volume (default: next to --ts)")
    Path work;

    @Option(names = "--paths", split = ",", defaultValue = "LEGACY,FAST,BATCHED")
    List<DataPath> paths;

    @Option(names = "--reps", defaultValue = "5")
    int reps;

    @Option(names = "--seconds", defaultValue = "3", description = "length of one measured run")
    double seconds;

    @Option(names = "--streams", defaultValue = "4", description = "concurrent sessions per run")
    int streams;

    @Option(names = "--plays", defaultValue = "0",
            description = "instead of --seconds: each stream plays the file this many times (for strace counts)")
    int plays;

    @Option(names = "--paced", description = "pace every stream from its PCRs (real time) instead of sending flat out:"
            + " the many-viewers case, where batching works across streams")
    boolean paced;

    @Option(names = "--window-ms", defaultValue = "2",
            description = "paced: packets due within this many ms go out together (bigger GSO bursts, less precise)")
    double windowMs;

    @Option(names = "--no-gso", description = "batched path without UDP GSO (sendmmsg only)")
    boolean noGso;

    @Option(names = "--fast-sender", defaultValue = "native",
            description = "FAST path sender: native (one libc sendmsg per packet, the engine's default for IPv4) or "
                    + "jdk (a connected DatagramChannel's gathering write); both send the iovec [header, unit slice]")
    String fastSender;

    @Option(names = "--sink", defaultValue = "blocking",
            description = "where the streams go: blocking (a loopback receiver that sleeps when caught up, so the "
                    + "sender pays for waking it, as loopback charges delivery to the sender), spinning (one that "
                    + "polls and is never woken: what a player on another machine costs the sender), or device (a TUN "
                    + "device nobody reads, needs root: the send path down to the driver, no delivery)")
    BenchSink.Kind sinkKind;

    @Option(names = "--warmup", defaultValue = "1", description = "seconds of unmeasured warm-up per path")
    double warmup;

    @Option(names = "--array", defaultValue = "0",
            description = "0: the volume is one plain image file (default); N: an N-member split Stream Disk Array "
                    + "of sparse files on the configured engine (-Dext3ns.sda.engine, io_uring by default)")
    int arrayMembers;

    @Option(names = "--units", split = ",", defaultValue = "plain",
            description = "where the pinned units live: plain (aligned direct buffers), registered (a huge-page "
                    + "arena registered with the array, as the server does), or plain,registered: both, interleaved "
                    + "in every repetition, with registered/plain ratios")
    List<String> unitKinds;

    private FileSystem fs;
    private final List<Path> images = new ArrayList<>();
    private StreamDiskArray array;

    public static void main(String[] args) {
        System.exit(io.ext3ns.stream.server.CommandRunner.commandLine(new StreamBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (reps < 1 || reps > 100 || streams < 1 || streams > 1000 || !(seconds > 0) || plays < 0
                || !List.of("native", "jdk").contains(fastSender)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "reps 1..100, streams 1..1000, "
                    + "seconds > 0, plays >= 0, --fast-sender native or jdk");
        }
        if (!unitKinds.stream().allMatch(List.of("plain", "registered")::contains) || arrayMembers < 0
                || arrayMembers > 16) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--units plain and/or registered, "
                    + "--array 0..16");
        }
        Map<String, StreamingEngine> engines = new LinkedHashMap<>();
        try {
            openSource();
            EngineConfig config = new EngineConfig(UnitSize.forBlockSize(blockSize()), Math.max(16, 4 * streams),
                    1, 2, !noGso, null, true, LeaseTracing.NONE);
            for (String kind : unitKinds) {
                engines.put(kind, new StreamingEngine(config, pool(kind, config)));
            }
            Map<String, Map<DataPath, List<BenchResult>>> results = new LinkedHashMap<>();
            try (BenchSink sink = sinkKind.open()) {
                StreamingEngine first = engines.values().iterator().next();
                System.out.printf("source %s (%d bytes), %d %s stream(s), unit %d KiB, units %s, GSO %s, "
                                + "FAST sender %s, %s sink, %s%n", sourceName(), Files.size(ts), streams,
                        paced ? "paced" : "unpaced", config.unitSize().bytes() >> 10, unitKinds,
                        paths.contains(DataPath.BATCHED) ? first.gsoActive() : "n/a", fastSender,
                        sinkKind.name().toLowerCase(java.util.Locale.ROOT),
                        plays > 0 ? plays + " play(s) per stream" : reps + " x " + seconds + " s per path");
                if (sinkKind == BenchSink.Kind.DEVICE) {
                    System.out.println("device sink: the driver counts a GSO burst once (BATCHED's 'delivered' is "
                            + "bursts, not packets), and it drops bursts unsegmented, as a NIC with UDP segmentation "
                            + "offload would segment them in hardware");
                }
                if (plays == 0 && warmup > 0) {
                    for (StreamingEngine engine : engines.values()) {
                        for (DataPath p : paths) {
                            run(engine, sink, p, warmup, 0);
                        }
                    }
                }
                for (int r = 0; r < reps; r++) {
                    for (int i = 0; i < paths.size(); i++) {
                        DataPath p = paths.get((i + r) % paths.size()); // rotate the order: no path always first
                        for (int k = 0; k < unitKinds.size(); k++) {
                            String kind = unitKinds.get((k + r) % unitKinds.size()); // and no unit kind
                            long[] transfers0 = transfers();
                            BenchResult res = run(engines.get(kind), sink, p, seconds, plays);
                            long[] transfers = transfers();
                            results.computeIfAbsent(kind, x -> new EnumMap<>(DataPath.class))
                                    .computeIfAbsent(p, x -> new ArrayList<>()).add(res);
                            System.out.printf("rep %d %-8s %-10s %7.3f CPU-s/GB %6.2f Gbit/s %9d packets delivered "
                                            + "%5.1f%% CPU %.0f%%%s%n", r + 1, p, kind, res.cpuSecondsPerGb(),
                                    res.gbitPerSecond(), res.packets(), 100 * res.delivered(),
                                    100.0 * res.cpuNanos() / res.wallNanos(), array == null ? ""
                                            : String.format(" io_uring transfers fixed %d plain %d",
                                            transfers[0] - transfers0[0], transfers[1] - transfers0[1]));
                        }
                    }
                }
            }
            for (Map.Entry<String, Map<DataPath, List<BenchResult>>> e : results.entrySet()) {
                System.out.printf("%nunits: %s", e.getKey());
                report(e.getValue());
            }
            if (results.size() == 2) {
                reportUnitRatios(results.get("plain"), results.get("registered"));
            }
            return 0;
        } finally {
            for (StreamingEngine engine : engines.values()) {
                engine.close();
            }
            closeSource();
        }
    }

    /** The pool for one unit kind; "registered" refuses to run when the volume cannot register it (no silent plain). */
    private PinnedBufferPool pool(String kind, EngineConfig config) {
        if ("plain".equals(kind)) {
            return new PinnedBufferPool(config.unitSize(), config.poolUnits(), true, LeaseTracing.NONE);
        }
        if (fs == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--units registered needs --source ext3ns");
        }
        // file data comes from the volume's block cache, whose units are in a registered arena when the array can
        // take one (fs-core decides at open); the engine's own pool only holds trick play's pictures
        throw new CommandLine.ParameterException(new CommandLine(this), "--units registered: the volume's block"
                + " cache registers its arena itself on an io_uring array (--array N); compare with --array instead");
    }

    private long[] transfers() {
        return array == null ? new long[2] : array.uringTransferCounts();
    }

    /** registered / plain CPU per GB for each path: the median of the per-repetition ratios (paired runs). */
    private static void reportUnitRatios(Map<DataPath, List<BenchResult>> plain,
                                         Map<DataPath, List<BenchResult>> registered) {
        System.out.println();
        for (DataPath p : plain.keySet()) {
            List<BenchResult> a = plain.get(p);
            List<BenchResult> b = registered.get(p);
            double[] ratios = new double[Math.min(a.size(), b.size())];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = b.get(i).cpuSecondsPerGb() / a.get(i).cpuSecondsPerGb();
            }
            Arrays.sort(ratios);
            System.out.printf("%s registered / plain CPU-s/GB: median %.3f (min %.3f, max %.3f over %d paired reps)%n",
                    p, ratios[ratios.length / 2], ratios[0], ratios[ratios.length - 1], ratios.length);
        }
    }

    /** Runs {@code streams} sessions, restarting each at end of file, for the given time or number of plays. */
    private BenchResult run(StreamingEngine engine, BenchSink sink, DataPath path, double runSeconds,
                            int playsPerStream) throws Exception {
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        SessionOptions options = paced
                ? SessionOptions.defaults().withRtcpInterval(0).withBurstWindow((long) (windowMs * 1e6))
                : SessionOptions.defaults().unpaced().withRtcpInterval(0);
        long rx0 = sink.datagrams();
        long rxCpu0 = sink.cpuNanos();
        long cpu0 = os.getProcessCpuTime();
        long harness0 = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long deadline = t0 + (long) (runSeconds * 1e9);
        StreamSession[] slots = new StreamSession[streams];
        int[] played = new int[streams];
        long bytes = 0;
        long packets = 0;
        for (int i = 0; i < streams; i++) {
            slots[i] = start(engine, sink, path, options);
        }
        boolean anyRunning = true;
        while (anyRunning) {
            anyRunning = false;
            boolean timeUp = playsPerStream == 0 && System.nanoTime() - deadline >= 0;
            for (int i = 0; i < streams; i++) {
                if (slots[i] == null) {
                    continue;
                }
                if (timeUp) {
                    slots[i].stop();
                }
                if (slots[i].ended().isDone()) {
                    SessionEnd end = slots[i].ended().get();
                    if (end.error() != null) {
                        throw new IOException(path + " session failed", end.error());
                    }
                    bytes += end.payloadBytes();
                    packets += end.packets();
                    played[i]++;
                    boolean again = playsPerStream > 0 ? played[i] < playsPerStream : !timeUp;
                    slots[i] = again ? start(engine, sink, path, options) : null;
                }
                anyRunning |= slots[i] != null;
            }
            Thread.sleep(2);
        }
        long wall = System.nanoTime() - t0;
        // the sender's cost: the whole process (GC and JIT included) minus the receiver and this polling thread
        long harness = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - harness0;
        long cpu = os.getProcessCpuTime() - cpu0 - (sink.cpuNanos() - rxCpu0) - harness;
        Thread.sleep(50); // let the receiver drain before reading its count
        return new BenchResult(path, cpu, bytes, packets, wall, sink.datagrams() - rx0);
    }

    private StreamSession start(StreamingEngine engine, BenchSink sink, DataPath path, SessionOptions options)
            throws IOException {
        StreamSession s = path == DataPath.FAST && "jdk".equals(fastSender)
                ? engine.open(openMedia(), path, new GatheringUdpSink(sink.address(), null), options)
                : engine.openUdp(openMedia(), path, sink.address(), null, options);
        s.play(-1);
        return s;
    }

    private static void report(Map<DataPath, List<BenchResult>> results) {
        System.out.println();
        System.out.println("| path | CPU-s/GB min / median / max | Gbit/s (median) | vs legacy (median) |");
        System.out.println("| --- | --- | --- | --- |");
        double legacy = results.containsKey(DataPath.LEGACY) ? median(results.get(DataPath.LEGACY)) : Double.NaN;
        for (Map.Entry<DataPath, List<BenchResult>> e : results.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(BenchResult::cpuSecondsPerGb).sorted().toArray();
            double gbit = e.getValue().stream().map(BenchResult::gbitPerSecond).sorted()
                    .toList().get(e.getValue().size() / 2);
            System.out.printf("| %s | %.2f / %.2f / %.2f | %.2f | %.2fx |%n", e.getKey(), v[0], median(e.getValue()),
                    v[v.length - 1], gbit, median(e.getValue()) / legacy);
        }
        if (!Double.isNaN(legacy)) {
            printTarget(results, DataPath.FAST, legacy, 0.8);
            printTarget(results, DataPath.BATCHED, legacy, 0.3);
        }
    }

    private static void printTarget(Map<DataPath, List<BenchResult>> results, DataPath p, double legacy,
                                    double target) {
        if (results.containsKey(p)) {
            double ratio = median(results.get(p)) / legacy;
            System.out.printf("%s / LEGACY = %.2f (target <= %.1f): %s%n", p, ratio, target,
                    ratio <= target ? "met" : "NOT met");
        }
    }

    private static double median(List<BenchResult> runs) {
        double[] v = runs.stream().mapToDouble(BenchResult::cpuSecondsPerGb).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    // ---- the content: an EXT3NS volume in this process, or the host file ----

    private void openSource() throws IOException {
        if ("file".equals(source)) {
            return;
        }
        if (!"ext3ns".equals(source)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--source must be ext3ns or file");
        }
        Path dir = work != null ? work : ts.toAbsolutePath().getParent();
        long bytes = Math.max(64L << 20, Files.size(ts) * 2 + (32L << 20));
        int members = Math.max(1, arrayMembers);
        for (int i = 0; i < members; i++) {
            Path image = Files.createTempFile(dir, "bench-volume", ".img");
            images.add(image);
            try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
                f.setLength(arrayMembers == 0 ? bytes : bytes / members + (2L << 20));
            }
        }
        try (BlockDevice dev = arrayMembers == 0 ? new FileMember(images.get(0), false)
                : BlockDevices.create(images, new ArraySpec(ArrayLayout.SPLIT, FormatSpec.DEFAULT_BLOCK_SIZE))) {
            VolumeFormatter.format(dev, FormatSpec.builder().blockSize(FormatSpec.DEFAULT_BLOCK_SIZE).build());
        } catch (io.ext3ns.fs.format.FormatException e) {
            throw new IOException("formatting the benchmark volume: " + e.getMessage(), e);
        }
        BlockDevice device = arrayMembers == 0 ? new FileMember(images.get(0), false)
                : BlockDevices.open(images, false);
        array = device instanceof StreamDiskArray a ? a : null;
        fs = Ext3FileSystem.open(device, EngineOptions.defaults());
        long ino = fs.create(FileSystem.ROOT_INO, "content.ts", 0644, 0, 0);
        FileHandle h = fs.open(ino, true);
        try {
            fs.write(h, 0, ByteBuffer.wrap(Files.readAllBytes(ts)));
            fs.fsync(h);
        } finally {
            fs.release(h);
        }
    }

    private int blockSize() {
        return fs != null ? fs.blockSize() : 4096;
    }

    private String sourceName() {
        return fs == null ? "host file " + ts : "EXT3NS volume (" + (fs.blockSize() >> 10) + " KiB blocks) on "
                + (array == null ? "image " + images.get(0) : array.memberNames().size() + "-member array, engine "
                + array.engine());
    }

    private MediaSource openMedia() throws IOException {
        return fs != null ? new FsMediaSource(fs, "/content.ts") : new PlainFileSource(ts);
    }

    private void closeSource() throws IOException {
        if (fs != null) {
            fs.close();
        }
        for (Path image : images) {
            Files.deleteIfExists(image);
        }
    }
}
