package io.ext3ns.bench.sda;

import io.ext3ns.sda.ArrayAssembler;
import io.ext3ns.sda.ArrayGeometry;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevices;
import io.ext3ns.sda.HugePageArena;
import io.ext3ns.sda.IoEngine;
import io.ext3ns.sda.MemberIo;
import io.ext3ns.sda.OpenOptions;
import io.ext3ns.sda.RawMember;
import io.ext3ns.sda.StreamDiskArray;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SDA benchmark (run through bin/ext3ns-bench-sda, which prepares the members): aggregate read throughput and
 * CPU seconds per GB for R concurrent sequential readers over split, raid0 and a single member, for each engine
 * variant ({@link BenchVariant}: threads or io_uring, ordinary or huge-page arena buffers), against fio with
 * O_DIRECT on the same members (libaio and io_uring with fixed buffers), all interleaved point by point; then
 * pipelined against one-request-at-a-time members with added latency.
 * Relabels the members: whatever array they held is lost.
 */
public final class SdaBench {
    private final List<Path> members;
    private final int blockSize;
    private final int[] readerCounts;
    private final double seconds;
    private final double latencyMillis;
    private final int latencyReaders;
    private final int readerDepth;
    private final int memberDepth;
    private final int repeat;
    private final boolean withFio;
    private final Map<String, String> args;
    private final List<BenchVariant> splitVariants;
    private final List<BenchVariant> otherVariants;
    private final List<String> layouts;

    private SdaBench(Map<String, String> args) {
        this.args = args;
        members = Arrays.stream(required(args, "members").split(",")).map(Path::of).toList();
        blockSize = parseSize(args.getOrDefault("block", "1M"));
        readerCounts = Arrays.stream(args.getOrDefault("readers", "1,4,16,64,256").split(","))
                .mapToInt(Integer::parseInt).toArray();
        seconds = Double.parseDouble(args.getOrDefault("seconds", "1.5"));
        latencyMillis = Double.parseDouble(args.getOrDefault("latency-ms", "5"));
        latencyReaders = Integer.parseInt(args.getOrDefault("latency-readers", "4"));
        readerDepth = Integer.parseInt(args.getOrDefault("reader-depth", "2"));
        memberDepth = Integer.parseInt(args.getOrDefault("depth", String.valueOf(StreamDiskArray.DEFAULT_IN_FLIGHT)));
        repeat = Integer.parseInt(args.getOrDefault("repeat", "3"));
        withFio = !args.containsKey("no-fio");
        splitVariants = BenchVariant.parseList(args.getOrDefault("variants",
                "threads,threads+arena,uring,uring+fixed"));
        otherVariants = BenchVariant.parseList(args.getOrDefault("other-variants", "threads,uring+fixed"));
        layouts = List.of(args.getOrDefault("layouts", "split,raid0,single").split(","));
        for (String layout : layouts) {
            if (!List.of("split", "raid0", "single").contains(layout)) {
                throw new IllegalArgumentException("--layouts takes split, raid0 and single, not " + layout);
            }
        }
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + argv[i]);
            }
            String key = argv[i].substring(2);
            boolean flag = i + 1 == argv.length || argv[i + 1].startsWith("--");
            args.put(key, flag ? "" : argv[++i]);
        }
        new SdaBench(args).run();
    }

    /** What one row of a table measured: our variant or a fio engine, every round in order. */
    private record Row(String label, List<SequentialReaders.Result> rounds) {
        SequentialReaders.Result result() {
            return median(rounds);
        }

        /**
         * The median over rounds of this row's throughput over {@code peer}'s in the same round: the two ran seconds
         * apart, so load that comes and goes over a run cancels out better than in a ratio of medians.
         */
        double pairedRatio(Row peer) {
            double[] ratios = new double[rounds.size()];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = rounds.get(i).megabytesPerSecond() / peer.rounds().get(i).megabytesPerSecond();
            }
            Arrays.sort(ratios);
            return ratios[ratios.length / 2];
        }
    }

    private void run() throws Exception {
        System.out.printf("members: %s; block %d KiB; %d blocks requested per reader; %d requests in flight per"
                + " member; median of %d rounds of %.1f s per point%n", members, blockSize >> 10, readerDepth,
                memberDepth, repeat, seconds);
        if (layouts.contains("split")) {
            printThroughput("split over " + members.size() + " members", measure(members, ArrayLayout.SPLIT,
                    splitVariants));
        }
        if (layouts.contains("raid0")) {
            printThroughput("raid0 over " + members.size() + " members", measure(members, ArrayLayout.RAID0,
                    otherVariants));
        }
        if (layouts.contains("single")) {
            printThroughput("single member", measure(members.subList(0, 1), ArrayLayout.RAID0, otherVariants));
        }
        if (!args.containsKey("no-pipelining")) {
            printPipelining();
        }
    }

    /**
     * Every reader count on an array of {@code layout} over {@code over}, for every variant and fio engine, in
     * {@code repeat} rounds; per reader count the variants and fio run back to back so that all see the same
     * machine load. fio's workload does not depend on the reader count: it keeps each member as busy as the array
     * may ({@code memberDepth} requests of the array's part size in flight per member).
     */
    private Map<Integer, List<Row>> measure(List<Path> over, ArrayLayout layout, List<BenchVariant> variants)
            throws Exception {
        ArrayGeometry g;
        try (StreamDiskArray fresh = BlockDevices.create(over, new ArraySpec(layout, blockSize), IoEngine.THREADS)) {
            g = fresh.geometry();
        }
        List<String> labels = new ArrayList<>(variants.stream().map(BenchVariant::label).toList());
        List<FioCeiling.Engine> fioEngines = withFio ? List.of(FioCeiling.Engine.values()) : List.of();
        fioEngines.forEach(e -> labels.add("fio " + e.label));
        Map<String, Map<Integer, List<SequentialReaders.Result>>> results = new LinkedHashMap<>();
        labels.forEach(l -> results.put(l, new LinkedHashMap<>()));
        long arenaBytes = (long) Arrays.stream(readerCounts).max().orElse(1) * readerDepth * blockSize;
        ReaderBuffers plain = new ReaderBuffers(null);
        try (HugePageArena arena = variants.stream().anyMatch(BenchVariant::arena)
                ? HugePageArena.allocate(Math.max(arenaBytes, 16L * readerDepth * blockSize)) : null) {
            ReaderBuffers carved = new ReaderBuffers(arena);
            List<StreamDiskArray> arrays = new ArrayList<>();
            try {
                List<SequentialReaders> readers = new ArrayList<>();
                for (BenchVariant v : variants) {
                    StreamDiskArray array = open(over, v.engine(), memberDepth);
                    arrays.add(array);
                    if (v.arena() && !array.registerBuffers(arena) && v.engine().usesRing()) {
                        throw new IllegalStateException(v.label() + ": the io_uring engine did not start");
                    }
                    readers.add(new SequentialReaders(array, blockSize, v.arena() ? carved : plain));
                }
                for (SequentialReaders r : readers) {
                    r.run(16, readerDepth, Math.min(1, seconds)); // JIT warm-up
                }
                for (int round = 0; round < repeat; round++) {
                    for (int count : readerCounts) {
                        for (int v = 0; v < variants.size(); v++) {
                            results.get(variants.get(v).label()).computeIfAbsent(count, c -> new ArrayList<>())
                                    .add(readers.get(v).run(count, readerDepth, seconds));
                        }
                        for (FioCeiling.Engine e : fioEngines) {
                            results.get("fio " + e.label).computeIfAbsent(count, c -> new ArrayList<>())
                                    .add(FioCeiling.run(e, over, g.dataOffset(), g.memberDataSize(), g.partSize(),
                                            memberDepth, seconds));
                        }
                    }
                }
                for (int v = 0; v < variants.size(); v++) {
                    long[] counts = arrays.get(v).uringTransferCounts();
                    System.out.printf("%n%s: engine %s, member transfers fixed %d / plain %d%s", variants.get(v)
                            .label(), arrays.get(v).engine(), counts[0], counts[1], variants.get(v).arena()
                            ? String.format(", arena %d MiB of which %d MiB on huge pages", arena.size() >> 20,
                            arena.hugePageBytes() >> 20) : "");
                }
                System.out.println();
            } finally {
                for (StreamDiskArray array : arrays) {
                    array.close();
                }
            }
        }
        Map<Integer, List<Row>> table = new LinkedHashMap<>();
        for (int count : readerCounts) {
            List<Row> rows = new ArrayList<>();
            for (String label : labels) {
                rows.add(new Row(label, results.get(label).get(count)));
            }
            table.put(count, rows);
        }
        return table;
    }

    /** The labelled members, read-only, assembled with {@code engine} and {@code depth} requests per member. */
    private static StreamDiskArray open(List<Path> over, IoEngine engine, int depth) throws Exception {
        List<MemberIo> opened = new ArrayList<>();
        try {
            for (Path p : over) {
                opened.add(RawMember.open(p, OpenOptions.READ_ONLY.withEngine(engine)));
            }
            return ArrayAssembler.assemble(opened, true, depth, engine);
        } catch (Exception e) {
            for (MemberIo m : opened) {
                m.close();
            }
            throw e;
        }
    }

    /** The result with the median throughput (CPU per GB travels with it). */
    private static SequentialReaders.Result median(List<SequentialReaders.Result> results) {
        List<SequentialReaders.Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(SequentialReaders.Result::megabytesPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    private void printThroughput(String title, Map<Integer, List<Row>> table) {
        System.out.printf("%n%s (MB/s and CPU: median round; vs fio: median over rounds of the ratio to fio's"
                + " run right after):%n%n", title);
        System.out.println("| readers | variant | MB/s | CPU s/GB | I/O threads CPU s/GB |"
                + (withFio ? " vs fio libaio | vs fio io_uring |" : ""));
        System.out.println("|---:|---|---:|---:|---:|" + (withFio ? "---:|---:|" : ""));
        for (Map.Entry<Integer, List<Row>> point : table.entrySet()) {
            List<Row> rows = point.getValue();
            for (Row row : rows) {
                SequentialReaders.Result r = row.result();
                StringBuilder line = new StringBuilder(String.format("| %d | %s | %.0f | %.3f | %s |", point.getKey(),
                        row.label(), r.megabytesPerSecond(), r.cpuSecondsPerGigabyte(), row.label().startsWith("fio")
                                ? "" : String.format("%.3f", r.ioThreadCpuSecondsPerGigabyte())));
                if (withFio) {
                    line.append(String.format(" %.2f | %.2f |", ratio(row, rows, "fio libaio"),
                            ratio(row, rows, "fio io_uring")));
                }
                System.out.println(line);
            }
        }
    }

    private static double ratio(Row row, List<Row> rows, String peer) {
        return rows.stream().filter(r -> r.label().equals(peer)).findFirst().map(row::pairedRatio)
                .orElse(Double.NaN);
    }

    /**
     * Pipelined (2 in flight per member) against one request at a time, on members with added latency; the two
     * alternate for {@code repeat} rounds and each reports its median.
     */
    private void printPipelining() throws Exception {
        BlockDevices.create(members, new ArraySpec(ArrayLayout.SPLIT, blockSize), IoEngine.THREADS).close();
        long latencyNanos = (long) (latencyMillis * 1e6);
        List<SequentialReaders.Result> single = new ArrayList<>();
        List<SequentialReaders.Result> pipelined = new ArrayList<>();
        for (int round = 0; round < repeat; round++) {
            single.add(withLatency(1, latencyNanos));
            pipelined.add(withLatency(StreamDiskArray.DEFAULT_IN_FLIGHT, latencyNanos));
        }
        double one = median(single).megabytesPerSecond();
        double two = median(pipelined).megabytesPerSecond();
        System.out.println();
        System.out.printf("Split over %d members, +%.1f ms per member request, %d sequential readers x %d blocks"
                + " (thread engine: the latency wrapper offers no descriptor to a ring):%n%n", members.size(),
                latencyMillis, latencyReaders, readerDepth);
        System.out.println("| mode | in flight per member | MB/s | speed-up |");
        System.out.println("|---|---:|---:|---:|");
        System.out.printf("| one request at a time | 1 | %.0f | 1.00 |%n", one);
        System.out.printf("| pipelined | %d | %.0f | %.2f |%n", StreamDiskArray.DEFAULT_IN_FLIGHT, two, two / one);
    }

    private SequentialReaders.Result withLatency(int inFlight, long latencyNanos) throws Exception {
        List<MemberIo> delayed = new ArrayList<>();
        for (Path p : members) {
            delayed.add(new DelayedMember(RawMember.open(p, OpenOptions.READ_ONLY), latencyNanos));
        }
        StreamDiskArray array;
        try {
            array = ArrayAssembler.assemble(delayed, true, inFlight, IoEngine.THREADS);
        } catch (Exception e) {
            for (MemberIo m : delayed) {
                m.close();
            }
            throw e;
        }
        try (array) {
            return new SequentialReaders(array, blockSize).run(latencyReaders, readerDepth, Math.max(seconds, 1.5));
        }
    }

    private static String required(Map<String, String> args, String key) {
        String value = args.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("--" + key + " is required");
        }
        return value;
    }

    /** Parses 1048576, 1024K or 1M. */
    private static int parseSize(String text) {
        String t = text.trim().toUpperCase();
        int shift = t.endsWith("K") ? 10 : t.endsWith("M") ? 20 : 0;
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        return Math.toIntExact(Long.parseLong(digits) << shift);
    }
}
