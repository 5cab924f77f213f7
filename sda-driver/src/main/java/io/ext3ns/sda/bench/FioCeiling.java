package io.ext3ns.sda.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ceiling: fio reading the same members with O_DIRECT, one job per member, {@code depth} requests in flight
 * per member (the array's pipelining limit) and the same request size the array sends each member. fio runs under
 * bash so that {@code times} reports its user + system CPU seconds.
 */
final class FioCeiling {
    /** The group's read bytes and aggregate bandwidth (bytes/s) in fio's JSON. */
    private static final Pattern READ = Pattern.compile(
            "\"read\"\\s*:\\s*\\{\\s*\"io_bytes\"\\s*:\\s*(\\d+),\\s*\"io_kbytes\"\\s*:\\s*\\d+,\\s*\"bw_bytes\"\\s*:\\s*(\\d+)");
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s\\s*$");

    private FioCeiling() {
    }

    /** Sequential O_DIRECT reads of {@code requestSize} over the members' data regions for {@code seconds}. */
    static SequentialReaders.Result run(List<Path> members, long dataOffset, long dataSize, int requestSize, int depth,
                                        double seconds) throws IOException, InterruptedException {
        List<String> fio = new ArrayList<>(List.of("fio", "--output-format=json", "--group_reporting",
                "--ioengine=libaio", "--direct=1", "--rw=read", "--bs=" + requestSize, "--iodepth=" + depth,
                "--offset=" + dataOffset, "--size=" + dataSize, "--time_based", "--runtime=" + seconds + "s",
                "--thread"));
        for (int i = 0; i < members.size(); i++) {
            fio.add("--name=m" + i);
            fio.add("--filename=" + members.get(i));
        }
        String script = String.join(" ", fio.stream().map(FioCeiling::quote).toList()) + "; rc=$?; times; exit $rc";
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("fio failed: " + out);
        }
        Matcher read = READ.matcher(out);
        if (!read.find() || Long.parseLong(read.group(2)) == 0) {
            throw new IOException("fio output has no read bandwidth: " + out);
        }
        long bytes = Long.parseLong(read.group(1));
        double runSeconds = (double) bytes / Long.parseLong(read.group(2));
        Matcher t = TIMES.matcher(out.strip());
        if (!t.find()) {
            throw new IOException("no CPU times after fio output: " + out);
        }
        double cpu = 60 * Double.parseDouble(t.group(1)) + Double.parseDouble(t.group(2))
                + 60 * Double.parseDouble(t.group(3)) + Double.parseDouble(t.group(4));
        return new SequentialReaders.Result(bytes, runSeconds, cpu);
    }

    private static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
