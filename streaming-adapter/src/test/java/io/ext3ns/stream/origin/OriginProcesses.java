package io.ext3ns.stream.origin;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The edge tests' origins as plain child processes on loopback: nginx (Debian's nginx-light) serving a directory,
 * with a throttled view of it under /slow/, and s3proxy's jar (filesystem backend) as an S3 API. The issue names
 * Testcontainers for them; no Docker engine runs where these tests run, so they always take this path and say so
 * ({@link #announce()}).
 */
public final class OriginProcesses {
    private OriginProcesses() {
    }

    public static void announce() {
        System.out.println("edge tests: origins run as plain processes on 127.0.0.1 (nginx, s3proxy as a child JVM);"
                + " the Testcontainers path of issue 21 is not implemented: no Docker engine here");
    }

    /** A port free a moment ago (nginx and s3proxy cannot report a port they chose themselves). */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A started child process, its log, and the loopback port it listens on. */
    public static final class Child implements AutoCloseable {
        final Process process;
        public final int port;
        final Path log;

        Child(Process process, int port, Path log) {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        /** SIGKILL, as a crashed origin. */
        public void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }
    }

    /**
     * nginx serving {@code docroot} at / and, at most {@code slowBytesPerSecond} per connection, at /slow/; its
     * files (configuration, pid, logs, temp directories) live in {@code work}.
     */
    public static Child nginx(Path docroot, Path work, String slowRate) throws Exception {
        return start("nginx", work, 20, port -> {
            Path conf = work.resolve("nginx-" + port + ".conf");
            Files.createDirectories(work.resolve("tmp"));
            Files.writeString(conf, String.join("\n",
                    "daemon off;", "master_process off;", "worker_processes 1;",
                    "pid " + work.resolve("nginx-" + port + ".pid") + ";",
                    "error_log " + work.resolve("nginx-error.log") + " warn;",
                    "events { worker_connections 256; }",
                    "http {",
                    "  access_log off;",
                    "  client_body_temp_path " + work.resolve("tmp") + ";",
                    "  proxy_temp_path " + work.resolve("tmp") + ";",
                    "  fastcgi_temp_path " + work.resolve("tmp") + ";",
                    "  uwsgi_temp_path " + work.resolve("tmp") + ";",
                    "  scgi_temp_path " + work.resolve("tmp") + ";",
                    "  types { video/mp2t ts; }",
                    "  default_type application/octet-stream;",
                    "  server {",
                    "    listen 127.0.0.1:" + port + ";",
                    "    root " + docroot + ";",
                    "    location /slow/ { alias " + docroot + "/; limit_rate " + slowRate + "; }",
                    "  }",
                    "}", ""));
            return List.of("nginx", "-p", work.toString(), "-c", conf.toString());
        });
    }

    /** How to start a server on a given port (writing its configuration first). */
    private interface Launch {
        List<String> command(int port) throws IOException;
    }

    /**
     * Starts {@code launch} on a free port and waits until it listens; tries another port twice (the free port may
     * be taken between the probe and the server's bind). Its output goes to {@code work}/NAME-PORT.out.
     */
    private static Child start(String name, Path work, int seconds, Launch launch) throws Exception {
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            List<String> command = launch.command(port);
            Path log = work.resolve(name + "-" + port + ".out");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                awaitPort(p, port, seconds);
                return new Child(p, port, log);
            } catch (IOException e) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                last = new IOException(name + ": " + e.getMessage() + "\n" + Files.readString(log), e);
            }
        }
        throw last;
    }

    /** s3proxy with the filesystem backend over {@code basedir} (a bucket is a directory in it), SigV4 keys. */
    public static Child s3proxy(Path basedir, Path work, String identity, String secret) throws Exception {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IOException(jar + " is missing: the build copies it there (maven-dependency-plugin, s3proxy-jar)");
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        return start("s3proxy", work, 60, port -> {
            Path props = work.resolve("s3proxy-" + port + ".properties");
            Files.writeString(props, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + identity,
                    "s3proxy.credential=" + secret,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + basedir, ""));
            return List.of(java, "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString());
        });
    }

    private static void awaitPort(Process p, int port, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("exited with " + p.exitValue() + " before listening on " + port);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50); // polling a condition with a deadline, not waiting for time to pass
            }
        }
        throw new IOException("not listening on " + port + " after " + seconds + " s");
    }
}
