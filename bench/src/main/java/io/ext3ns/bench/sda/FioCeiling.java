package io.ext3ns.bench.sda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceiling: fio reading the same members with O_DIRECT, one job per member, {@code depth} requests in flight
 * per member (the array's pipelining limit) and the same request size the array sends each member. CPU is fio's
 * own per-job figure (user + system over the job's runtime), so its start-up is not charged, as the JVM's is not.
 * Two fio engines: libaio (the classic ceiling) and io_uring with registered buffers and files (the stronger one).
 */
final class FioCeiling {
    /** The fio engines we compare with. */
    enum Engine {
        LIBAIO("libaio", "--ioengine=libaio"),
        URING("io_uring", "--ioengine=io_uring", "--fixedbufs", "--registerfiles");

        final String label;
        final List<String> options;

        Engine(String label, String... options) {
            this.label = label;
            this.options = List.of(options);
        }
    }

    private static final Pattern READ = Pattern.compile(
            "\"read\"\\s*:\\s*\\{\\s*\"io_bytes\"\\s*:\\s*(\\d+),\\s*\"io_kbytes\"\\s*:\\s*\\d+,\\s*\"bw_bytes\"\\s*:\\s*(\\d+)");
    private static final Pattern JOB_RUNTIME = Pattern.compile("\"job_runtime\"\\s*:\\s*(\\d+)");
    private static final Pattern CPU = Pattern.compile("\"usr_cpu\"\\s*:\\s*([\\d.]+),\\s*\"sys_cpu\"\\s*:\\s*([\\d.]+)");

    private FioCeiling() {
    }

    /** Sequential O_DIRECT reads of {@code requestSize} over the members' data regions for {@code seconds}. */
    static SequentialReaders.Result run(Engine engine, List<Path> members, long dataOffset, long dataSize,
                                        int requestSize, int depth, double seconds)
            throws IOException, InterruptedException {
        List<String> fio = new ArrayList<>(List.of("fio", "--output-format=json"));
        fio.addAll(engine.options);
        fio.addAll(List.of("--direct=1", "--rw=read", "--bs=" + requestSize, "--iodepth=" + depth, "--offset=" + dataOffset,
                "--size=" + dataSize, "--time_based", "--runtime=" + seconds + "s", "--thread"));
        for (int i = 0; i < members.size(); i++) {
            fio.add("--name=m" + i);
            fio.add("--filename=" + members.get(i));
        }
        Process p = new ProcessBuilder(fio).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("fio failed: " + out);
        }
        Matcher read = READ.matcher(out);
        Matcher runtime = JOB_RUNTIME.matcher(out);
        Matcher cpu = CPU.matcher(out);
        long bytes = 0;
        double bytesPerSecond = 0;
        double cpuSeconds = 0;
        for (int job = 0; job < members.size(); job++) {
            if (!read.find() || !runtime.find() || !cpu.find()) {
                throw new IOException("fio output lacks job " + job + "'s read, runtime or CPU figures: " + out);
            }
            bytes += Long.parseLong(read.group(1));
            bytesPerSecond += Long.parseLong(read.group(2));
            double jobSeconds = Long.parseLong(runtime.group(1)) / 1000.0;
            cpuSeconds += (Double.parseDouble(cpu.group(1)) + Double.parseDouble(cpu.group(2))) / 100 * jobSeconds;
        }
        if (bytesPerSecond == 0) {
            throw new IOException("fio read nothing: " + out);
        }
        return new SequentialReaders.Result(bytes, bytes / bytesPerSecond, cpuSeconds, cpuSeconds);
    }
}
