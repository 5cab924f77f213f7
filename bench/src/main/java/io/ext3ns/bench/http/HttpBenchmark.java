package io.ext3ns.bench.http;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * ext3ns-bench-http: server CPU per GB sent over HTTP, ext3ns-serve against nginx in the same interleaved run.
 * nginx (Debian's, sendfile on) serves the file from the kernel's ext4 on a loop device (--direct-io=on, so the
 * loop's backing file is not cached twice); ext3ns-serve serves the same bytes from an EXT3NS volume on file
 * members. Clients are this JVM's threads (blocking sockets, HTTP/1.1 keep-alive, bodies read into one direct
 * buffer and dropped): their CPU is theirs, not counted. Server CPU is utime+stime of the server's processes from
 * /proc (nginx: master and workers) over each measured case, divided by the body bytes the clients received.
 * Cases: whole-file GETs and 2 MiB range GETs (random offsets), each with 4 and 64 clients at once; the servers
 * take turns case by case, the order swapped every round, after a warm-up of each kind (page cache, JIT). Both
 * servers log one line per request (nginx's access log, ext3ns-serve's body log), as deployed. Needs root
 * (losetup, mount).
 */
@Command(name = "ext3ns-bench-http", mixinStandardHelpOptions = true, sortOptions = false,
        description = "HTTP server CPU per GB: ext3ns-serve vs nginx (sendfile, ext4 on a loop device).")
public final class HttpBenchmark implements Callable<Integer> {
    @Option(names = "--root", required = true, description = "the EXT3NS source tree (its bin/ is used)")
    Path root;

    @Option(names = "--dir", description = "work directory (default ${DEFAULT-VALUE})")
    Path dir = Path.of("/var/tmp/ext3ns-bench-http");

    @Option(names = "--file-mb", description = "size of the file served, MiB (default ${DEFAULT-VALUE})")
    int fileMb = 1024;

    @Option(names = "--members", description = "EXT3NS members (default ${DEFAULT-VALUE})")
    int members = 2;

    @Option(names = "--rounds", description = "interleaved rounds (default ${DEFAULT-VALUE})")
    int rounds = 2;

    @Option(names = "--clients", split = ",", description = "client counts (default ${DEFAULT-VALUE})")
    List<Integer> clients = List.of(4, 64);

    @Option(names = "--range-gb", description = "GB moved per range case (default ${DEFAULT-VALUE})")
    double rangeGb = 4;

    @Option(names = "--whole-gb", description = "at most this many GB per whole-file case: fewer clients "
            + "download the whole file when C x file is more (default: no limit, every client downloads it)")
    double wholeGb = 0;

    @Option(names = "--warmup-requests", description = "64 KiB requests that warm ext3ns-serve's JIT up before "
            + "measuring (default ${DEFAULT-VALUE})")
    int warmupRequests = 30_000;

    @Option(names = "--only", description = "ours or nginx: measure one server only")
    String only;

    @Option(names = "--serve-args", description = "extra ext3ns-serve arguments (space-separated)")
    String serveArgs = "";

    @Option(names = "--keep", description = "leave the work directory (volume, image, data) for the next run")
    boolean keep;

    private static final int RANGE = 2 << 20;
    private static final int WARMUP_RANGE = 64 << 10;


    public static void main(String[] args) {
        System.exit(new CommandLine(new HttpBenchmark()).execute(args));
    }

    /** A server under test: where it listens and which processes' CPU counts. */
    private interface Server extends AutoCloseable {
        String name();

        int port();

        long cpuTicks() throws IOException;

        @Override
        void close() throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        long size = (long) fileMb << 20;
        Path data = dir.resolve("data.bin");
        if (!Files.exists(data) || Files.size(data) != size) {
            writeRandom(data, size);
        }
        List<Server> servers = new ArrayList<>();
        try {
            if (!"nginx".equals(only)) {
                servers.add(startOurs(data, size));
            }
            if (!"ours".equals(only)) {
                servers.add(startNginx(data, size));
            }
            for (Server s : servers) { // warm-up: page cache (whole file); ours also the JIT (many small requests:
                run(s, size, 2, false, 0.0, RANGE); // its compiler threads are part of the process's CPU)
                if (s.name().equals("ours")) {
                    run(s, size, 4, true, warmupRequests * (double) WARMUP_RANGE / 1e9, WARMUP_RANGE);
                }
            }
            List<String> cases = new ArrayList<>();
            for (String kind : List.of("whole", "range")) {
                for (int c : clients) {
                    cases.add(kind + "/" + c);
                }
            }
            double[][] cpu = new double[cases.size()][servers.size()];
            double[][] bytes = new double[cases.size()][servers.size()];
            double[][] secs = new double[cases.size()][servers.size()];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < cases.size(); k++) {
                    String[] c = cases.get(k).split("/");
                    for (int i = 0; i < servers.size(); i++) {
                        int si = (r % 2 == 0) ? i : servers.size() - 1 - i;
                        Server s = servers.get(si);
                        long t0 = s.cpuTicks();
                        long n0 = System.nanoTime();
                        long got = run(s, size, Integer.parseInt(c[1]), c[0].equals("range"),
                                c[0].equals("range") ? rangeGb : wholeGb, RANGE);
                        long n1 = System.nanoTime();
                        long t1 = s.cpuTicks();
                        cpu[k][si] += (t1 - t0) / 100.0;
                        bytes[k][si] += got;
                        secs[k][si] += (n1 - n0) / 1e9;
                        System.out.printf(Locale.ROOT, "round %d %-9s %-6s %6.2f GB %6.2f s %5.2f CPU-s/GB%n",
                                r + 1, cases.get(k), s.name(), got / 1e9, (n1 - n0) / 1e9,
                                (t1 - t0) / 100.0 / (got / 1e9));
                    }
                }
            }
            System.out.println();
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-10s", "case"));
            for (Server s : servers) {
                head.append(String.format(Locale.ROOT, " %14s %8s", s.name() + " CPU-s/GB", "GB/s"));
            }
            if (servers.size() == 2) {
                head.append(String.format(Locale.ROOT, " %13s", "ours/nginx"));
            }
            System.out.println(head);
            for (int k = 0; k < cases.size(); k++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s", cases.get(k)));
                double[] perGb = new double[servers.size()];
                for (int i = 0; i < servers.size(); i++) {
                    perGb[i] = cpu[k][i] / (bytes[k][i] / 1e9);
                    line.append(String.format(Locale.ROOT, " %14.3f %8.2f", perGb[i], bytes[k][i] / 1e9 / secs[k][i]));
                }
                if (servers.size() == 2) {
                    line.append(String.format(Locale.ROOT, " %12.2fx", perGb[0] / perGb[1]));
                }
                System.out.println(line);
            }
        } finally {
            for (Server s : servers) {
                try {
                    s.close();
                } catch (Exception e) {
                    System.err.println("ext3ns-bench-http: stopping " + s.name() + ": " + e.getMessage());
                }
            }
            if (!keep) {
                sh(List.of("rm", "-rf", dir.toString()));
            }
        }
        return 0;
    }

    private static void writeRandom(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(19);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long done = 0; done < size; done += buf.capacity()) {
                buf.clear();
                while (buf.hasRemaining()) {
                    buf.putLong(random.nextLong());
                }
                ch.write(buf.flip());
            }
        }
    }

    // ---- the servers ----

    private Server startOurs(Path data, long size) throws Exception {
        List<String> memberPaths = new ArrayList<>();
        long each = (size + (256L << 20)) / members + (64L << 20);
        boolean fresh = false;
        for (int i = 0; i < members; i++) {
            Path m = dir.resolve("member" + i + ".img");
            memberPaths.add(m.toString());
            fresh |= !Files.exists(m);
        }
        Path marker = dir.resolve("members.ready");
        if (fresh || !Files.exists(marker) || !Files.readString(marker).equals(size + "/" + members)) {
            for (String m : memberPaths) {
                sh(List.of("truncate", "-s", String.valueOf(each), m));
            }
            List<String> mkfs = new ArrayList<>(List.of(root.resolve("bin/mkfs.ext3ns").toString(), "-q", "-F"));
            mkfs.addAll(memberPaths);
            sh(mkfs);
            sh(List.of(root.resolve("bin/ext3ns-import").toString(), "-q", data.toString(),
                    String.join(",", memberPaths) + ":/"));
            Files.writeString(marker, size + "/" + members);
        }
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(root.resolve("bin/ext3ns-serve").toString()));
        cmd.addAll(memberPaths);
        cmd.addAll(List.of("--rtsp", "-1", "--http", String.valueOf(port), "--bind", "127.0.0.1"));
        if (!serveArgs.isBlank()) {
            cmd.addAll(List.of(serveArgs.trim().split("\\s+")));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("serve.log").toFile()).start();
        waitListening(port, p, dir.resolve("serve.log"));
        return new Server() {
            public String name() {
                return "ours";
            }

            public int port() {
                return port;
            }

            public long cpuTicks() throws IOException {
                return ticks(p.pid());
            }

            public void close() throws Exception {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        };
    }

    private Server startNginx(Path data, long size) throws Exception {
        Path image = dir.resolve("ext4.img");
        Path mnt = dir.resolve("ext4");
        Files.createDirectories(mnt);
        Path marker = dir.resolve("ext4.ready");
        boolean fresh = !Files.exists(marker) || !Files.readString(marker).equals(String.valueOf(size));
        if (fresh) {
            Files.deleteIfExists(image);
        }
        sh(List.of("truncate", "-s", String.valueOf(size + (size / 8) + (128L << 20)), image.toString()));
        String loop = sh(List.of("losetup", "--direct-io=on", "-f", "--show", image.toString())).trim();
        List<AutoCloseable> undo = new ArrayList<>();
        undo.add(() -> sh(List.of("losetup", "-d", loop)));
        try {
            if (fresh || !sh(List.of("blkid", "-o", "value", "-s", "TYPE", loop), true).trim().equals("ext4")) {
                sh(List.of("mkfs.ext4", "-q", "-F", loop));
            }
            sh(List.of("mount", loop, mnt.toString()));
            undo.add(0, () -> sh(List.of("umount", mnt.toString())));
            Path served = mnt.resolve("data.bin");
            if (!Files.exists(served) || Files.size(served) != size) {
                sh(List.of("cp", data.toString(), served.toString()));
                sh(List.of("sync"));
            }
            Files.writeString(marker, String.valueOf(size));
            int port = freePort();
            Path prefix = dir.resolve("nginx");
            Files.createDirectories(prefix.resolve("logs"));
            Path conf = prefix.resolve("nginx.conf");
            Files.writeString(conf, String.join("\n",
                    "worker_processes auto;", "pid " + prefix.resolve("nginx.pid") + ";",
                    "error_log " + prefix.resolve("logs/error.log") + ";",
                    "events { worker_connections 1024; }",
                    // one log line per request, as ext3ns-serve writes one per body: the same work on both sides
                    "http {", "  access_log " + prefix.resolve("logs/access.log") + ";", "  sendfile on;", "  tcp_nopush on;",
                    "  keepalive_requests 100000;",
                    "  default_type application/octet-stream;",
                    "  client_body_temp_path " + prefix + "/tmp;", "  proxy_temp_path " + prefix + "/tmp;",
                    "  fastcgi_temp_path " + prefix + "/tmp;", "  uwsgi_temp_path " + prefix + "/tmp;",
                    "  scgi_temp_path " + prefix + "/tmp;",
                    "  server { listen 127.0.0.1:" + port + "; root " + mnt + "; }", "}", ""));
            sh(List.of("nginx", "-p", prefix.toString(), "-c", conf.toString()));
            undo.add(0, () -> sh(List.of("nginx", "-p", prefix.toString(), "-c", conf.toString(), "-s", "stop")));
            waitListening(port, null, prefix.resolve("logs/error.log"));
            long master = Long.parseLong(Files.readString(prefix.resolve("nginx.pid")).trim());
            return new Server() {
                public String name() {
                    return "nginx";
                }

                public int port() {
                    return port;
                }

                public long cpuTicks() throws IOException {
                    long sum = ticks(master);
                    try (var procs = Files.list(Path.of("/proc"))) {
                        for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                            String[] f = stat(Long.parseLong(p.getFileName().toString()));
                            if (f != null && Long.parseLong(f[1]) == master) {
                                sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                            }
                        }
                    }
                    return sum;
                }

                public void close() throws Exception {
                    for (AutoCloseable u : undo) {
                        u.close();
                        Thread.sleep(200); // nginx -s stop returns before the workers exit
                    }
                }
            };
        } catch (Exception e) {
            for (AutoCloseable u : undo) {
                try {
                    u.close();
                } catch (Exception ignored) {
                    // undoing what was set up, best effort
                }
            }
            throw e;
        }
    }

    /** The fields after "(comm)" of /proc/PID/stat (index 0 = state, 1 = ppid, 11 = utime, 12 = stime). */
    private static String[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    private static long ticks(long pid) throws IOException {
        String[] f = stat(pid);
        if (f == null) {
            throw new IOException("process " + pid + " is gone");
        }
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void waitListening(int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (p != null && !p.isAlive()) {
                throw new IOException("server exited: " + Files.readString(log));
            }
            try (SocketChannel s = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("nothing listens on port " + port + " after 120 s: " + Files.readString(log));
    }

    private static String sh(List<String> command) throws IOException, InterruptedException {
        return sh(command, false);
    }

    private static String sh(List<String> command, boolean mayFail) throws IOException, InterruptedException {
        Path out = Files.createTempFile("ext3ns-bench-http", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command);
            }
            String text = Files.readString(out);
            if (p.exitValue() != 0 && !mayFail) {
                throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    // ---- the clients ----

    /** Runs one case; returns the body bytes received. */
    private long run(Server s, long size, int clients, boolean ranges, double gb, int range) throws Exception {
        int wholeClients = clients;
        if (!ranges && gb > 0) {
            wholeClients = (int) Math.max(1, Math.min(clients, Math.floor(gb * 1e9 / size)));
        }
        int n = ranges ? clients : wholeClients;
        long perClientRanges = ranges ? Math.max(1, Math.round(gb * 1e9 / range / clients)) : 0;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long seed = i;
                results.add(pool.submit(() -> ranges ? rangeClient(s.port(), size, range, perClientRanges, seed)
                        : wholeClient(s.port(), size)));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get(30, TimeUnit.MINUTES);
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long wholeClient(int port, long size) throws IOException {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            return get(ch, buf, "GET /data.bin HTTP/1.1\r\nHost: bench\r\n\r\n", size, 200);
        }
    }

    private static long rangeClient(int port, long size, int range, long requests, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long total = 0;
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port))) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            for (long i = 0; i < requests; i++) {
                long first = random.nextLong(size - range);
                total += get(ch, buf, "GET /data.bin HTTP/1.1\r\nHost: bench\r\nRange: bytes=" + first + "-"
                        + (first + range - 1) + "\r\n\r\n", range, 206);
            }
        }
        return total;
    }

    /** Sends one request, reads the head and exactly {@code length} body bytes; leftovers stay in {@code buf}. */
    private static long get(SocketChannel ch, ByteBuffer buf, String request, long length, int status)
            throws IOException {
        ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
        buf.clear();
        int headEnd;
        while ((headEnd = headEnd(buf)) < 0) {
            if (ch.read(buf) < 0) {
                throw new IOException("closed before the head");
            }
        }
        byte[] head = new byte[headEnd];
        buf.duplicate().flip().get(head);
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 " + status)) {
            throw new IOException("unexpected answer: " + text);
        }
        long body = buf.position() - headEnd;
        while (body < length) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                throw new IOException("body cut short at " + body + " of " + length);
            }
            body += n;
        }
        if (body != length) {
            throw new IOException("more bytes than the body: " + body + " of " + length);
        }
        return length;
    }

    private static int headEnd(ByteBuffer buf) {
        for (int i = 3; i < buf.position(); i++) {
            if (buf.get(i - 3) == '\r' && buf.get(i - 2) == '\n' && buf.get(i - 1) == '\r' && buf.get(i) == '\n') {
                return i + 1;
            }
        }
        return -1;
    }
}
