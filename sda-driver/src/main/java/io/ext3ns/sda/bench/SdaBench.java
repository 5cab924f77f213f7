package io.ext3ns.sda.bench;

import io.ext3ns.sda.ArrayAssembler;
import io.ext3ns.sda.ArrayGeometry;
import io.ext3ns.sda.ArrayLayout;
import io.ext3ns.sda.ArraySpec;
import io.ext3ns.sda.BlockDevices;
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
 * CPU seconds per GB for R concurrent sequential readers over split, raid0 and a single member, against fio with
 * O_DIRECT on the same members; then pipelined against one-request-at-a-time members with added latency.
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
    private final int repeat;
    private final boolean withFio;

    private SdaBench(Map<String, String> args) {
        members = Arrays.stream(required(args, "members").split(",")).map(Path::of).toList();
        blockSize = parseSize(args.getOrDefault("block", "1M"));
        readerCounts = Arrays.stream(args.getOrDefault("readers", "1,4,16,64,256").split(","))
                .mapToInt(Integer::parseInt).toArray();
        seconds = Double.parseDouble(args.getOrDefault("seconds", "1.5"));
        latencyMillis = Double.parseDouble(args.getOrDefault("latency-ms", "5"));
        latencyReaders = Integer.parseInt(args.getOrDefault("latency-readers", "4"));
        readerDepth = Integer.parseInt(args.getOrDefault("reader-depth", "2"));
        repeat = Integer.parseInt(args.getOrDefault("repeat", "3"));
        withFio = !args.containsKey("no-fio");
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

    /** One reader count: the array's result and fio's, measured right after it on the same members. */
    private record Point(int readers, SequentialReaders.Result array, SequentialReaders.Result fio) {
    }

    private void run() throws Exception {
        System.out.printf("members: %s; block %d KiB; %d blocks requested per reader; median of %d rounds of %.1f s"
                + " per point%n", members, blockSize >> 10, readerDepth, repeat, seconds);
        printThroughput("split over " + members.size() + " members", measure(members, ArrayLayout.SPLIT));
        printThroughput("raid0 over " + members.size() + " members", measure(members, ArrayLayout.RAID0));
        printThroughput("single member", measure(members.subList(0, 1), ArrayLayout.RAID0));
        printPipelining();
    }

    /**
     * Every reader count on an array of {@code layout} over {@code over}, {@code repeat} rounds, reporting medians.
     * fio runs right after each of our points so that both see the same machine load; the fio workload itself does
     * not depend on the reader count: it keeps each member as busy as the array may (2 requests of the array's part
     * size in flight per member).
     */
    private List<Point> measure(List<Path> over, ArrayLayout layout) throws Exception {
        List<List<SequentialReaders.Result>> ours = new ArrayList<>();
        List<List<SequentialReaders.Result>> fio = new ArrayList<>();
        for (int r : readerCounts) {
            ours.add(new ArrayList<>());
            fio.add(new ArrayList<>());
        }
        try (StreamDiskArray array = BlockDevices.create(over, new ArraySpec(layout, blockSize))) {
            ArrayGeometry g = array.geometry();
            SequentialReaders readers = new SequentialReaders(array, blockSize);
            readers.run(16, readerDepth, Math.min(1, seconds)); // JIT warm-up
            for (int round = 0; round < repeat; round++) {
                for (int i = 0; i < readerCounts.length; i++) {
                    ours.get(i).add(readers.run(readerCounts[i], readerDepth, seconds));
                    if (withFio) {
                        fio.get(i).add(FioCeiling.run(over, g.dataOffset(), g.memberDataSize(), g.partSize(),
                                StreamDiskArray.DEFAULT_IN_FLIGHT, seconds));
                    }
                }
            }
        }
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < readerCounts.length; i++) {
            points.add(new Point(readerCounts[i], median(ours.get(i)), withFio ? median(fio.get(i)) : null));
        }
        return points;
    }

    /** The result with the median throughput (CPU per GB travels with it). */
    private static SequentialReaders.Result median(List<SequentialReaders.Result> results) {
        List<SequentialReaders.Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparingDouble(SequentialReaders.Result::megabytesPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    private void printThroughput(String title, List<Point> points) {
        System.out.printf("%n%s:%n%n", title);
        System.out.println("| readers | MB/s | CPU s/GB | I/O threads CPU s/GB |"
                + (withFio ? " fio MB/s | fio CPU s/GB | vs fio |" : ""));
        System.out.println("|---:|---:|---:|---:|" + (withFio ? "---:|---:|---:|" : ""));
        for (Point p : points) {
            StringBuilder row = new StringBuilder(String.format("| %d | %.0f | %.3f | %.3f |", p.readers(),
                    p.array().megabytesPerSecond(), p.array().cpuSecondsPerGigabyte(),
                    p.array().ioThreadCpuSecondsPerGigabyte()));
            if (p.fio() != null) {
                row.append(String.format(" %.0f | %.3f | %.2f |", p.fio().megabytesPerSecond(),
                        p.fio().cpuSecondsPerGigabyte(),
                        p.array().megabytesPerSecond() / p.fio().megabytesPerSecond()));
            }
            System.out.println(row);
        }
    }

    /**
     * Pipelined (2 in flight per member) against one request at a time, on members with added latency; the two
     * alternate for {@code repeat} rounds and each reports its median.
     */
    private void printPipelining() throws Exception {
        BlockDevices.create(members, new ArraySpec(ArrayLayout.SPLIT, blockSize)).close();
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
        System.out.printf("Split over %d members, +%.1f ms per member request, %d sequential readers x %d blocks:%n%n",
                members.size(), latencyMillis, latencyReaders, readerDepth);
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
            array = ArrayAssembler.assemble(delayed, true, inFlight);
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
